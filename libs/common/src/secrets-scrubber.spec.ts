import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretScrubber, secretsOfUrl } from './secrets';

describe('SecretScrubber', () => {
  it('replaces every occurrence of every known secret', () => {
    const s = new SecretScrubber();
    s.setSecrets(['hunter2', 'wh-secret-1']);
    assert.equal(s.scrub('auth hunter2 failed (hunter2), signing with wh-secret-1'), 'auth *** failed (***), signing with ***');
  });

  it('masks the longest secret first, so one containing another is masked whole', () => {
    const s = new SecretScrubber();
    s.setSecrets(['abc', 'abcdef-long']);
    assert.equal(s.scrub('token abcdef-long and abc'), 'token *** and ***');
    const reversed = new SecretScrubber();
    reversed.setSecrets(['abcdef-long', 'abc']);
    assert.equal(reversed.scrub('token abcdef-long'), 'token ***');
  });

  it('ignores empty and very short values, which would mask noise', () => {
    const s = new SecretScrubber();
    s.setSecrets(['', 'a', 'ab']);
    assert.equal(s.scrub('a cab ab'), 'a cab ab');
  });

  it('masks URL passwords even when it was never told them', () => {
    const s = new SecretScrubber();
    assert.equal(s.scrub('dial redis://:unknown-pw@h:6379'), 'dial redis://:***@h:6379');
  });

  it('leaves nothing of a registered URL password that contains "@"', () => {
    const s = new SecretScrubber();
    s.setSecrets(secretsOfUrl('postgres://app:p@ss-w0rd@db/x'));
    const out = s.scrub('error for postgres://app:p@ss-w0rd@db/x: p@ss-w0rd rejected');
    assert.equal(out, 'error for postgres://app:***@db/x: *** rejected');
    assert.ok(!out.includes('ss-w0rd'), out);
  });

  it('replaces the secret set on reload', () => {
    const s = new SecretScrubber();
    s.setSecrets(['old-secret']);
    s.setSecrets(['new-secret']);
    assert.equal(s.scrub('old-secret new-secret'), 'old-secret ***');
  });

  it('deep-scrubs strings in objects and arrays without touching other values', () => {
    const s = new SecretScrubber();
    s.setSecrets(['topsecret']);
    const when = new Date(0);
    const input = { msg: 'x topsecret', n: 3, ok: true, none: null, when, nested: { list: ['topsecret', { url: 'redis://:pw@h:1' }] } };
    const out = s.scrubValue(input);
    assert.deepEqual(out, { msg: 'x ***', n: 3, ok: true, none: null, when, nested: { list: ['***', { url: 'redis://:***@h:1' }] } });
    assert.equal(input.msg, 'x topsecret', 'the input is not modified');
  });

  it('never passes a secret through, however deep it is nested', () => {
    const s = new SecretScrubber();
    s.setSecrets(['topsecret']);
    let deep: unknown = { leak: 'topsecret' };
    for (let i = 0; i < 20; i++) deep = { inner: deep };
    assert.ok(!JSON.stringify(s.scrubValue(deep)).includes('topsecret'));
  });

  it('terminates on cyclic objects without leaking', () => {
    const s = new SecretScrubber();
    s.setSecrets(['topsecret']);
    const a: Record<string, unknown> = { leak: 'topsecret' };
    a.self = a;
    const out = s.scrubValue(a);
    assert.equal(out.leak, '***');
  });

  it('masks Nines API tokens by their shape, without knowing them', () => {
    const s = new SecretScrubber();
    const token = `nines_${'aB3_-'.repeat(8)}xyz`;
    assert.equal(token.length, 49);
    assert.equal(s.scrub(`header was Bearer ${token}.`), 'header was Bearer nines_***.');
    assert.equal(s.scrub(`nines_short stays`), 'nines_short stays');
    assert.equal(s.scrub(`${token}X`), `${token}X`, 'a longer word is not a token');
  });
});

describe('SecretScrubber: pinned secrets', () => {
  it('keeps secrets pinned from the environment when the config set is replaced', () => {
    const s = new SecretScrubber();
    s.pin(['sentinel-pass-1']);
    s.setSecrets(['config-secret']);
    s.setSecrets(['other-config-secret']);
    assert.equal(s.scrub('auth sentinel-pass-1 / config-secret / other-config-secret'), 'auth *** / config-secret / ***');
  });
});
