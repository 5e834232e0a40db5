import 'reflect-metadata';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import { performance } from 'node:perf_hooks';
import { NotificationQueue } from '../../apps/nines/src/delivery/notification-queue';
import { RedisConnections } from '../../apps/nines/src/runtime/redis';
import { QUEUE_PREFIX, QueueName } from '../../apps/nines/src/delivery/queues';
import type { NotificationPayload } from '../../libs/notify/src/notification';
import { sleep } from './children';
import type { Env } from './latency';
import { REDIS_URL, startNines } from './nines-stack';
import { childPids, cpuDelta, cpuOfMatching, cpuSeconds, loadAverage, machineBusy } from './stats';

export interface DeliveriesResult {
  count: number;
  seconds: number;
  perSecond: number;
  /** Rate between 10% and 90% sent: the steady state, without start-up and the last stragglers. */
  steadyPerSecond: number;
  received: number;
  duplicates: number;
  notSent: Record<string, number>;
  /** Rows sent after more than one attempt, and what the worker said about the first few. */
  retried: number;
  retryReasons: string[];
  workerCpuSeconds: number;
  /** PostgreSQL backends serving this run's database. */
  postgresCpuSeconds: number;
  /** redis-server: shared with whatever else uses it meanwhile, so an upper bound. */
  redisCpuSeconds: number;
  benchCpuSeconds: number;
  machineBusyPercent: number;
  load: { before: string; after: string };
}

/** What one outbox row carries: a one-alert group flush, as AlertRepository writes it. */
function payload(id: string, i: number): NotificationPayload {
  const labels = { alertname: 'TargetDown', severity: 'critical', target: `t${i}`, layer: 'service', kind: 'http' };
  return {
    id,
    kind: 'alerts',
    receiver: 'bench',
    status: 'firing',
    groupKey: `0:${JSON.stringify({ target: `t${i}` })}`,
    groupLabels: { target: `t${i}` },
    commonLabels: labels,
    commonAnnotations: { summary: `t${i} down for 1s (status 503)` },
    alerts: [{ fingerprint: `fp${i}`, status: 'firing', labels, annotations: { summary: `t${i} down for 1s (status 503)`, reason: 'status 503' }, startsAt: new Date().toISOString() }],
    externalUrl: 'http://127.0.0.1:9797',
  };
}

/**
 * Deliveries per second through the queue: K webhook notifications in the outbox of a scratch
 * database, one worker-role Nines process, the rows enqueued with Nines' own producer (the
 * relay only takes 500 rows per 2s: it repairs, it is not the path), wall time until every row
 * is 'sent'. Every delivery goes through the real stages: claim the row, POST (signed headers,
 * private-address policy), record the outcome.
 */
export async function runDeliveries(env: Env, opts: { count: number; nodeArgs?: string[] }): Promise<DeliveriesResult> {
  // Leftover jobs of an earlier run would be claimed against the wrong database: start empty.
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue(QueueName.Notifications, { connection: conn, prefix: QUEUE_PREFIX });
  await q.obliterate({ force: true });
  await q.close();
  conn.disconnect();

  const config = `alerting:
  receivers:
    - name: bench
      webhook: { url: "${env.receiver.url('/deliveries')}", allow_private: true }
  route: { receiver: bench }
`;
  const nines = await startNines({ dir: env.dir, dbName: 'bench_time_to_notify_deliveries', config, roles: 'worker', boundSeconds: env.boundSeconds, nodeArgs: opts.nodeArgs });
  const pg = new Client({ connectionString: nines.databaseUrl });
  await pg.connect();
  const producer = new NotificationQueue(new RedisConnections({ kind: 'url', url: REDIS_URL }, 'bench'), pino({ level: 'warn' }));
  try {
    env.receiver.deliveries = 0;
    env.receiver.deliveryIds.clear();
    const run = Math.random().toString(36).slice(2, 8);
    const ids = Array.from({ length: opts.count }, (_, i) => `n-bench-${run}-${i}-webhook`);
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000);
      await pg.query(
        `insert into notifications (id, group_key, receiver, channel, kind, payload, state, first_alert_at)
         select id, payload->>'groupKey', 'bench', 'webhook', 'alerts', payload, 'pending', now() from unnest($1::text[], $2::jsonb[]) as u(id, payload)`,
        [batch, batch.map((id, j) => JSON.stringify(payload(id, i + j)))],
      );
    }
    const workerPid = childPids(nines.child.proc.pid!)[0] ?? nines.child.proc.pid!;
    const cpu0 = cpuSeconds(workerPid);
    const bench0 = process.cpuUsage();
    const pgRe = /postgres: .*bench_time_to_notify_deliveries/;
    const redisRe = /^\S*redis-server /;
    const pg0 = cpuOfMatching(pgRe);
    const redis0 = cpuOfMatching(redisRe);
    const m0 = machineBusy();
    const loadBefore = loadAverage();

    const t0 = performance.now();
    // As AlertService does after its commit: enqueue, then mark enqueued.
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000);
      if (await producer.enqueue(batch)) await pg.query('update notifications set enqueued_at = now() where id = any($1)', [batch]);
    }
    let t10: number | undefined;
    let t90: number | undefined;
    let sent = 0;
    const deadline = t0 + Math.max(120_000, opts.count * 10);
    while (sent < opts.count && performance.now() < deadline) {
      await sleep(100);
      sent = Number((await pg.query(`select count(*)::int as n from notifications where state = 'sent'`)).rows[0].n);
      const now = performance.now();
      if (t10 === undefined && sent >= opts.count * 0.1) t10 = now;
      if (t90 === undefined && sent >= opts.count * 0.9) t90 = now;
    }
    const t1 = performance.now();
    const m1 = machineBusy();
    const postgresCpuSeconds = cpuDelta(pg0, cpuOfMatching(pgRe));
    const redisCpuSeconds = cpuDelta(redis0, cpuOfMatching(redisRe));
    const bench1 = process.cpuUsage(bench0);
    const states = (await pg.query(`select state, count(*)::int as n from notifications group by state`)).rows as { state: string; n: number }[];
    const notSent = Object.fromEntries(states.filter((s) => s.state !== 'sent').map((s) => [s.state, s.n]));
    const retried = Number((await pg.query(`select count(*)::int as n from notifications where attempts > 1`)).rows[0].n);
    const retryReasons = nines.child.warnings().filter((l) => /will retry|dead-lettered/.test(l)).slice(0, 3).map((l) => l.slice(0, 300));
    const seconds = (t1 - t0) / 1000;
    return {
      count: opts.count,
      seconds,
      perSecond: sent / seconds,
      steadyPerSecond: t10 !== undefined && t90 !== undefined && t90 > t10 ? (opts.count * 0.8) / ((t90 - t10) / 1000) : NaN,
      received: env.receiver.deliveries,
      duplicates: env.receiver.deliveries - env.receiver.deliveryIds.size,
      notSent,
      retried,
      retryReasons,
      workerCpuSeconds: cpuSeconds(workerPid) - cpu0,
      postgresCpuSeconds,
      redisCpuSeconds,
      benchCpuSeconds: (bench1.user + bench1.system) / 1e6,
      machineBusyPercent: (100 * (m1.busy - m0.busy)) / Math.max(1, m1.total - m0.total),
      load: { before: loadBefore, after: loadAverage() },
    };
  } finally {
    await producer.onApplicationShutdown();
    await pg.end().catch(() => undefined);
    await nines.stop();
  }
}
