import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisConnections, reconnectOnError } from './redis';

const sentinel = { kind: 'sentinel' as const, sentinels: [{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }], master: 'nines', sentinelPassword: 'sentinel-pw', password: 'data-pw' };

describe('RedisConnections: every connection follows the Sentinels', () => {
  it('asks the Sentinels for the master, with both passwords and a bounded Sentinel retry, without ioredis\' failover detector', () => {
    const o = new RedisConnections(sentinel, 'nines-a').optionsFor('main', { maxRetriesPerRequest: 2 });
    assert.deepEqual(o.sentinels, [{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }]);
    assert.equal(o.name, 'nines');
    assert.equal(o.role, 'master');
    assert.equal(o.sentinelPassword, 'sentinel-pw');
    assert.equal(o.password, 'data-pw');
    assert.equal(o.failoverDetector, false, 'its +switch-master disconnect can end a reconnecting connection for good');
    assert.equal(o.connectionName, 'nines-a-main');
    assert.equal(typeof o.sentinelRetryStrategy, 'function');
    assert.ok([1, 5, 50, 1000].every((n) => (o.sentinelRetryStrategy!(n) as number) <= 2000), 'asks again within 2 s');
    assert.equal(o.reconnectOnError, reconnectOnError);
  });

  it('BullMQ connections never give up on a command (maxRetriesPerRequest: null), in either mode', () => {
    for (const ep of [sentinel, { kind: 'url' as const, url: 'redis://127.0.0.1:6379' }]) {
      const c = new RedisConnections(ep, 'n');
      for (const opts of [{}, { offlineQueue: false }, { autoPipelining: true }]) {
        const o = c.optionsFor('q', RedisConnections.queueOptions(opts));
        assert.equal(o.maxRetriesPerRequest, null);
        assert.equal(o.name, ep.kind === 'sentinel' ? 'nines' : undefined);
        assert.equal(o.reconnectOnError, reconnectOnError);
      }
      // Subscribers and the main connection follow the Sentinels the same way.
      for (const base of [RedisConnections.MAIN, RedisConnections.SUBSCRIBER]) assert.equal(c.optionsFor('x', base).name, ep.kind === 'sentinel' ? 'nines' : undefined);
    }
  });

  it('a URL endpoint keeps its URL and takes REDIS_PASSWORD as the password', () => {
    const o = new RedisConnections({ kind: 'url', url: 'redis://127.0.0.1:6379', password: 'data-pw' }, 'n').optionsFor('main', {});
    assert.equal(o.password, 'data-pw');
    assert.equal(o.sentinels, undefined);
  });

  it('a command refused by a demoted master reconnects and is sent again; other errors are the caller\'s', () => {
    assert.equal(reconnectOnError(new Error("READONLY You can't write against a read only replica.")), 2);
    assert.equal(reconnectOnError(new Error('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)')), 2);
    assert.equal(reconnectOnError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')), false);
    assert.equal(reconnectOnError(new Error('ERR unknown command')), false);
  });
});
