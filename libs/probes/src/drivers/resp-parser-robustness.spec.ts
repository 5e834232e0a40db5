import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse, RespError, RespProtocolError, RespValue } from './resp';

const b = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
const value = (s: string) => parse(b(s), 0)?.value;

function throwsProtocol(s: string | Buffer, message: RegExp): void {
  assert.throws(() => parse(b(s), 0), (e: unknown) => e instanceof RespProtocolError && message.test(e.message));
}

describe('RESP parse: well-formed replies', () => {
  it('reads simple strings, errors and integers', () => {
    assert.deepEqual(parse(b('+OK\r\n'), 0), { value: 'OK', next: 5 });
    const err = value('-WRONGPASS invalid username-password pair\r\n');
    assert.ok(err instanceof RespError);
    assert.equal(err.message, 'WRONGPASS invalid username-password pair');
    assert.equal(value(':1000\r\n'), 1000);
    assert.equal(value(':-3\r\n'), -3);
  });

  it('reads bulk strings, including empty ones and ones containing CRLF', () => {
    assert.deepEqual(parse(b('$5\r\nhello\r\n'), 0), { value: 'hello', next: 11 });
    assert.equal(value('$0\r\n\r\n'), '');
    assert.equal(value('$4\r\na\r\nb\r\n'), 'a\r\nb');
  });

  it('reads the null bulk string and the null array', () => {
    assert.deepEqual(parse(b('$-1\r\n'), 0), { value: null, next: 5 });
    assert.deepEqual(parse(b('*-1\r\n'), 0), { value: null, next: 5 });
  });

  it('reads nested arrays', () => {
    const v = value('*3\r\n*2\r\n:1\r\n$3\r\nfoo\r\n*0\r\n-ERR x\r\n');
    assert.ok(Array.isArray(v));
    assert.deepEqual(v.slice(0, 2), [[1, 'foo'], []]);
    assert.ok(v[2] instanceof RespError);
  });

  it('reads pipelined replies one after another from `next`', () => {
    const buf = b('+OK\r\n:7\r\n$2\r\nhi\r\n');
    const out: RespValue[] = [];
    for (let pos = 0, r = parse(buf, pos); r; pos = r.next, r = parse(buf, pos)) out.push(r.value);
    assert.deepEqual(out, ['OK', 7, 'hi']);
  });
});

describe('RESP parse: incomplete input asks for more bytes', () => {
  it('returns undefined for an empty buffer', () => {
    assert.equal(parse(Buffer.alloc(0), 0), undefined);
  });

  it('returns undefined for a truncated bulk string', () => {
    assert.equal(parse(b('$5\r\nhel'), 0), undefined);
    assert.equal(parse(b('$5\r\nhello\r'), 0), undefined);
  });

  it('returns undefined for every proper prefix of a valid nested reply, and the value for the whole', () => {
    const whole = '*2\r\n*2\r\n:12\r\n$5\r\nhello\r\n$-1\r\n';
    for (let n = 0; n < whole.length; n++) assert.equal(parse(b(whole.slice(0, n)), 0), undefined, `prefix of ${n} bytes`);
    assert.deepEqual(value(whole), [[12, 'hello'], null]);
  });
});

describe('RESP parse: garbage becomes a protocol error, never a crash or a hang', () => {
  it('rejects an HTTP answer (wrong port) by its first byte', () => {
    throwsProtocol('HTTP/1.1 400 Bad Request\r\n\r\n', /^not a Redis reply \(starts with "HTTP\/1.1 400"\)$/);
  });

  it('rejects garbage at once even before a line end arrives', () => {
    throwsProtocol('SSH-2.0-OpenSSH_9.6', /not a Redis reply/);
    throwsProtocol(Buffer.from([0x16, 0x03, 0x01, 0x00]), /not a Redis reply/); // a TLS record: the server wants TLS
  });

  it('rejects negative lengths other than -1', () => {
    throwsProtocol('$-2\r\n', /malformed bulk length/);
    throwsProtocol('*-5\r\n', /malformed array length/);
  });

  it('rejects malformed numbers and lengths', () => {
    throwsProtocol(':12a\r\n', /malformed integer/);
    throwsProtocol('$abc\r\nxyz\r\n', /malformed bulk length/);
    throwsProtocol('*1.5\r\n', /malformed array length/);
  });

  it('rejects a bulk string not followed by CRLF', () => {
    throwsProtocol('$3\r\nfooXY', /not terminated/);
  });

  it('rejects sizes and depths a probe must not buffer', () => {
    throwsProtocol('$999999999\r\n', /bulk reply too large/);
    throwsProtocol('*2000000\r\n', /array reply too large/);
    throwsProtocol('*1\r\n'.repeat(12) + ':1\r\n', /nested too deeply/);
    throwsProtocol('+' + 'a'.repeat(70 * 1024), /line too long/);
  });

  it('rejects garbage inside an array', () => {
    throwsProtocol('*2\r\n:1\r\n?what\r\n', /not a Redis reply/);
  });

  it('never throws anything but RespProtocolError on random bytes', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const alphabet = Buffer.from('+-:$*\r\n0123456789-abc', 'latin1');
    for (let i = 0; i < 3000; i++) {
      const len = next() % 40;
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) buf[j] = next() % 4 === 0 ? next() % 256 : alphabet[next() % alphabet.length];
      try {
        const r = parse(buf, 0);
        if (r) assert.ok(r.next > 0 && r.next <= buf.length, `next ${r.next} for ${JSON.stringify(buf.toString('latin1'))}`);
      } catch (e) {
        assert.ok(e instanceof RespProtocolError, `${(e as Error).name} for ${JSON.stringify(buf.toString('latin1'))}`);
      }
    }
  });
});
