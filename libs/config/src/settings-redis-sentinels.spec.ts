import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { secretScrubber } from '../../common/src/secrets';
import { describeRedis, readSettings, SettingsError } from './settings';

const SENTINEL_PW = 'S3ntinel-Pa55-4d2c';
const DATA_PW = 'Data-Pa55-8e7f';

const redisOf = (env: NodeJS.ProcessEnv) => readSettings(env, '/nonexistent').redis;

/** The SettingsError message for env (the line `nines` prints), failing the test if it parses. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    readSettings(env, '/nonexistent');
  } catch (e) {
    assert.ok(e instanceof SettingsError, `a SettingsError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.message;
  }
  assert.fail(`expected a SettingsError for ${JSON.stringify(env)}`);
}

describe('settings: Nines\' own Redis behind Sentinel', () => {
  it('without REDIS_SENTINELS, REDIS_URL (or its default) is the Redis', () => {
    assert.deepEqual(redisOf({}), { kind: 'url', url: 'redis://127.0.0.1:6379', password: undefined });
    assert.deepEqual(redisOf({ REDIS_URL: 'redis://10.0.0.9:6380/3', REDIS_PASSWORD: DATA_PW }), { kind: 'url', url: 'redis://10.0.0.9:6380/3', password: DATA_PW });
    assert.deepEqual(redisOf({ REDIS_SENTINELS: '  ' }), { kind: 'url', url: 'redis://127.0.0.1:6379', password: undefined }, 'an empty variable is unset');
  });

  it('reads a list of Sentinels, the master name and both passwords; REDIS_URL is then ignored, and said so', () => {
    const env = { REDIS_SENTINELS: '10.0.0.1:26379, sentinel-2.example.com:26380,[::1]:26381', REDIS_SENTINEL_MASTER: 'nines', REDIS_SENTINEL_PASSWORD: SENTINEL_PW, REDIS_PASSWORD: DATA_PW, REDIS_URL: 'redis://127.0.0.1:6379' };
    const s = readSettings(env, '/nonexistent');
    assert.deepEqual(s.redis, {
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-2.example.com', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      master: 'nines',
      sentinelPassword: SENTINEL_PW,
      password: DATA_PW,
    });
    assert.deepEqual(s.notices, ['REDIS_URL is ignored: REDIS_SENTINELS replaces it for every Redis connection']);
    assert.equal(describeRedis(s.redis), 'Sentinel master "nines" via 10.0.0.1:26379,sentinel-2.example.com:26380,[::1]:26381');
    assert.deepEqual(readSettings({ REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_MASTER: 'm' }, '/nonexistent').notices, []);
  });

  it('refuses Sentinels without a master name, naming REDIS_SENTINEL_MASTER', () => {
    assert.match(refusal({ REDIS_SENTINELS: '127.0.0.1:26379' }), /^REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS/);
    assert.match(refusal({ REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_MASTER: 'my master' }), /^REDIS_SENTINEL_MASTER: a master name has no spaces/);
  });

  it('refuses Sentinel settings without REDIS_SENTINELS rather than silently using REDIS_URL', () => {
    assert.match(refusal({ REDIS_SENTINEL_MASTER: 'nines' }), /^REDIS_SENTINEL_MASTER: set without REDIS_SENTINELS/);
    assert.match(refusal({ REDIS_SENTINEL_PASSWORD: SENTINEL_PW }), /^REDIS_SENTINEL_PASSWORD: set without REDIS_SENTINELS/);
  });

  it('refuses a bad host:port with one line naming REDIS_SENTINELS and the entry', () => {
    const bad = (list: string) => refusal({ REDIS_SENTINELS: list, REDIS_SENTINEL_MASTER: 'nines' });
    assert.match(bad('10.0.0.1'), /^REDIS_SENTINELS: entry 1 "10\.0\.0\.1" has no port \(use host:port,host:port/);
    assert.match(bad('10.0.0.1:26379,10.0.0.2:'), /^REDIS_SENTINELS: entry 2 "10\.0\.0\.2:": the port must be a number from 1 to 65535$/);
    assert.match(bad('10.0.0.1:65536'), /^REDIS_SENTINELS: entry 1 "10\.0\.0\.1:65536": the port must be a number from 1 to 65535$/);
    assert.match(bad('10.0.0.1:0'), /the port must be a number from 1 to 65535/);
    assert.match(bad('10.0.0.1:26x'), /the port must be a number from 1 to 65535/);
    assert.match(bad('10.0.0.1:26379,,10.0.0.3:26379'), /^REDIS_SENTINELS: entry 2 is empty/);
    assert.match(bad('10.0.0.1:26379,'), /^REDIS_SENTINELS: entry 2 is empty/);
    assert.match(bad('::1:26379'), /^REDIS_SENTINELS: entry 1 "::1:26379": an IPv6 address goes in brackets, e\.g\. \[::1\]:26379$/);
    assert.match(bad('[::1]'), /entry 1 "\[::1\]" has no port/);
    assert.match(bad(':26379'), /^REDIS_SENTINELS: entry 1 ":26379": not a host name or address/);
  });

  it('never echoes a password: not the Sentinels\', not one pasted into the list, not the data password', () => {
    const messages = [
      refusal({ REDIS_SENTINELS: `:${SENTINEL_PW}@10.0.0.1:26379`, REDIS_SENTINEL_MASTER: 'nines' }),
      refusal({ REDIS_SENTINELS: `redis://:${DATA_PW}@10.0.0.1:26379`, REDIS_SENTINEL_MASTER: 'nines' }),
      refusal({ REDIS_SENTINELS: '10.0.0.1', REDIS_SENTINEL_MASTER: 'nines', REDIS_SENTINEL_PASSWORD: SENTINEL_PW, REDIS_PASSWORD: DATA_PW }),
      refusal({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_PASSWORD: SENTINEL_PW }),
      refusal({ REDIS_URL: `redis://:${DATA_PW}@10.0.0.9:6379`, REDIS_PASSWORD: 'Other-Pa55-1234' }),
    ];
    assert.match(messages[0], /^REDIS_SENTINELS: entry 1 is not host:port \(no URL or credentials here: the Sentinels' password goes in REDIS_SENTINEL_PASSWORD\)$/);
    assert.match(messages[4], /^REDIS_PASSWORD: REDIS_URL carries a password too/);
    for (const m of messages) for (const pw of [SENTINEL_PW, DATA_PW, 'Other-Pa55-1234']) assert.ok(!m.includes(pw), `${m} shows a password`);
  });

  it('registers the Redis and Sentinel passwords with the secret scrubber, so an error echoing them is masked', () => {
    readSettings({ REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_MASTER: 'nines', REDIS_SENTINEL_PASSWORD: SENTINEL_PW, REDIS_PASSWORD: DATA_PW }, '/nonexistent');
    secretScrubber.setSecrets(['a-config-secret']); // a config (re)load replaces the config's set, not these
    assert.equal(secretScrubber.scrub(`AUTH ${SENTINEL_PW} / AUTH ${DATA_PW}`), 'AUTH *** / AUTH ***');
    secretScrubber.setSecrets([]);
  });
});
