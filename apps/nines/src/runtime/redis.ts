import Redis from 'ioredis';
import { DependencyError } from '../../../../libs/common/src/errors';
import { maskUrl } from '../../../../libs/common/src/secrets';

/** Connects to Redis or fails with one line saying what and how to fix it. */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5000,
    retryStrategy: (n) => Math.min(n * 200, 2000),
  });
  redis.on('error', () => undefined); // reconnects are logged by their effects, not per attempt
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const e = err as { code?: string; message?: string };
    if (/NOAUTH|WRONGPASS/.test(e.message ?? '')) throw new DependencyError('redis', `Redis at ${maskUrl(url)} refused the credentials`, 'fix the password in REDIS_URL');
    throw new DependencyError('redis', `cannot reach Redis at ${maskUrl(url)} (${e.code ?? e.message})`, 'start Redis or set REDIS_URL to a reachable server');
  }
  return redis;
}
