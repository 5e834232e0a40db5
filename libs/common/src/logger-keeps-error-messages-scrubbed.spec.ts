import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './logger';
import { secretScrubber } from './secrets';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ destination }) };
}

describe('logger', () => {
  it('keeps an error\'s type, message and code (a 3 a.m. reader needs them), with secrets masked', () => {
    secretScrubber.setSecrets(['hunter22']);
    const { lines, logger } = capture();
    const e = Object.assign(new Error('connect postgres://nines:hunter22@db1/nines: ECONNREFUSED'), { code: 'ECONNREFUSED' });
    logger.warn({ err: e }, 'could not enqueue notifications');
    logger.warn({ err: 'a plain hunter22 reason' }, 'plain');
    logger.warn({ err: new TypeError('bad'), cause: new Error('inner hunter22') }, 'nested');
    assert.deepEqual(lines[0].err, { type: 'Error', message: 'connect postgres://nines:***@db1/nines: ECONNREFUSED', code: 'ECONNREFUSED' });
    assert.equal(lines[1].err, 'a plain *** reason');
    assert.deepEqual(lines[2].err, { type: 'TypeError', message: 'bad' });
    assert.deepEqual(lines[2].cause, { type: 'Error', message: 'inner ***' });
    assert.ok(!JSON.stringify(lines).includes('hunter22'));
    secretScrubber.setSecrets([]);
  });
});
