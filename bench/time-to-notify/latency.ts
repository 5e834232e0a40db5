import { join } from 'node:path';
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { sleep, waitUntil } from './children';
import { ninesConfig, startNines, type NinesRun } from './nines-stack';
import { prometheusSeesAlertmanager, startPrometheusStack, type PromStack } from './prometheus-stack';
import type { Stack, TargetServer, WebhookReceiver } from './servers';
import { distribution } from './stats';

export interface Sample {
  trial: number;
  id: string;
  stack: Stack;
  /** Flip to failing → the webhook with the firing alert arrived (Infinity: timed out). */
  latencyMs: number;
  /** Flip → the first probe of this stack answered 503 (the detection part). */
  detectMs?: number;
}

/**
 * Where Nines' time goes after a probe failed, from its own outbox rows (all timestamps are
 * this machine's clock): the alert evaluated (first_alert_at) → the outbox transaction began
 * (created_at) → enqueued (enqueued_at, written after the enqueue) → claimed by a worker
 * (last_attempt_at) → the receiver answered and the outcome was recorded (sent_at).
 */
export interface NinesStages {
  notifications: number;
  evaluatedToTransactionMs: number;
  transactionToEnqueuedMs: number;
  enqueuedToClaimedMs: number;
  claimedToSentMs: number;
  evaluatedToSentMs: number;
  /** The five slowest, stage by stage, to see where an outlier spent its time. */
  slowest: { target: string; evaluatedToTransactionMs: number; transactionToEnqueuedMs: number; enqueuedToClaimedMs: number; claimedToSentMs: number; evaluatedToSentMs: number }[];
}

async function ninesStages(databaseUrl: string): Promise<NinesStages> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const ms = (a: string, b: string) => `round((extract(epoch from (${b} - ${a})) * 1000)::numeric, 1)::float8`;
    const r = await c.query(
      `select payload->'alerts'->0->'labels'->>'target' as target, ${ms('first_alert_at', 'created_at')} as a, ${ms('created_at', 'enqueued_at')} as b,
              ${ms('enqueued_at', 'last_attempt_at')} as c, ${ms('last_attempt_at', 'sent_at')} as d, ${ms('first_alert_at', 'sent_at')} as e
         from notifications where state = 'sent' and payload->>'status' = 'firing' and group_key not like '%"w-e%'`,
    );
    const rows = r.rows.map((x) => ({ target: x.target as string, evaluatedToTransactionMs: x.a, transactionToEnqueuedMs: x.b, enqueuedToClaimedMs: x.c, claimedToSentMs: x.d, evaluatedToSentMs: x.e }));
    const med = (f: (x: (typeof rows)[number]) => number) => distribution(rows.map(f)).p50;
    return {
      notifications: rows.length,
      evaluatedToTransactionMs: med((x) => x.evaluatedToTransactionMs),
      transactionToEnqueuedMs: med((x) => x.transactionToEnqueuedMs),
      enqueuedToClaimedMs: med((x) => x.enqueuedToClaimedMs),
      claimedToSentMs: med((x) => x.claimedToSentMs),
      evaluatedToSentMs: med((x) => x.evaluatedToSentMs),
      slowest: [...rows].sort((x, y) => y.evaluatedToSentMs - x.evaluatedToSentMs).slice(0, 5),
    };
  } finally {
    await c.end();
  }
}

export interface Env {
  dir: string;
  target: TargetServer;
  receiver: WebhookReceiver;
  boundSeconds: number;
  say: (line: string) => void;
}

function collect(env: Env, trial: number, ids: string[], t0: number): Sample[] {
  const out: Sample[] = [];
  for (const stack of ['nines', 'prometheus'] as const)
    for (const id of ids) {
      const a = env.receiver.first(stack, id, 'firing', t0);
      const probe = env.target.firstFailedProbe(stack, id);
      out.push({ trial, id, stack, latencyMs: a ? a.at - t0 : Infinity, detectMs: probe !== undefined ? probe - t0 : undefined });
    }
  return out;
}

function arrivedAll(env: Env, ids: string[], status: 'firing' | 'resolved', since: number): () => boolean {
  return () => ids.every((id) => env.receiver.first('nines', id, status, since) && env.receiver.first('prometheus', id, status, since));
}

/** Whether either stack's last word on this endpoint is 'firing'. */
function stillFiring(env: Env, id: string): boolean {
  for (const stack of ['nines', 'prometheus'] as const) {
    const last = env.receiver.arrivals.filter((a) => a.stack === stack && a.id === id).pop();
    if (last?.status === 'firing') return true;
  }
  return false;
}

const endpointIds = (set: string, k: number) => Array.from({ length: k }, (_, e) => `${set}-e${e}`);

/**
 * Both stacks configured as tightly as they allow, on the same endpoints at the same time.
 * A trial flips its endpoints to failing at a random phase within the second, waits for both
 * stacks' firing webhooks, flips back, waits for both resolutions and a quiet moment.
 *
 * Every trial has endpoints of its own, never failed before, so each measures a first failure
 * for both stacks: Nines holds an alert that flipped 4 times in 10 minutes as flapping, and
 * Alertmanager deletes a resolved group only on its 30s maintenance tick (an alert coming back
 * before that joins the old group and waits for its next group_interval tick). New endpoints
 * also draw Prometheus' scrape phase, fixed per target by a hash, anew.
 */
export async function runTight(env: Env, opts: { trials: number; endpoints: number; timeoutMs: number }): Promise<{ samples: Sample[]; stages?: NinesStages; extraFiring: Record<Stack, number> }> {
  const trialIds = Array.from({ length: opts.trials }, (_, t) => endpointIds(`t${t}`, opts.endpoints));
  const warmIds = endpointIds('w', opts.endpoints);
  const all = [...warmIds, ...trialIds.flat()];

  env.say(`starting Prometheus + blackbox_exporter + Alertmanager and Nines (tight) on ${all.length} endpoints`);
  let prom: PromStack | undefined;
  let nines: NinesRun | undefined;
  try {
    [prom, nines] = await Promise.all([
      startPrometheusStack({ dir: join(env.dir, 'prom-tight'), profile: 'tight', targets: all.map((id) => env.target.url(id)), webhookUrl: env.receiver.url('/am'), boundSeconds: env.boundSeconds }),
      startNines({ dir: env.dir, dbName: 'bench_time_to_notify', config: ninesConfig('tight', all.map((id) => ({ name: id, url: env.target.url(id) })), env.receiver.url('/nines')), boundSeconds: env.boundSeconds }),
    ]);
    const p = prom;
    await waitUntil('Prometheus to discover Alertmanager', () => prometheusSeesAlertmanager(p), 30_000, p.children[2]);

    // One uncounted trial: the whole path works for both, connections and caches are warm.
    const w0 = env.target.set(warmIds, true);
    if (!(await env.receiver.waitFor(arrivedAll(env, warmIds, 'firing', w0), 60_000)))
      throw new Error(`warm-up: not every stack notified within 60s:\n--- nines ---\n${nines.child.logs().slice(-3000)}\n--- prometheus ---\n${p.children.map((c) => c.logs().slice(-1500)).join('\n')}`);
    const w1 = env.target.set(warmIds, false);
    await env.receiver.waitFor(arrivedAll(env, warmIds, 'resolved', w1), 30_000);
    env.say(`warm-up trial done (nines ${Math.round(env.receiver.first('nines', warmIds[0], 'firing', w0)!.at - w0)} ms, prometheus ${Math.round(env.receiver.first('prometheus', warmIds[0], 'firing', w0)!.at - w0)} ms)`);

    const samples: Sample[] = [];
    const hits0 = { ...env.target.hits };
    const trialsStarted = performance.now();
    for (let trial = 0; trial < opts.trials; trial++) {
      const ids = trialIds[trial];
      // A healthy endpoint reported down (a probe that timed out on a loaded machine) must be
      // resolved before its trial, or the trial's failure would add nothing to a firing alert.
      await env.receiver.waitFor(() => ids.every((id) => !stillFiring(env, id)), 10_000);
      await sleep(Math.random() * 1000); // random phase within the 1s interval of both
      const t0 = env.target.set(ids, true);
      await env.receiver.waitFor(arrivedAll(env, ids, 'firing', t0), opts.timeoutMs);
      const got = collect(env, trial, ids, t0);
      samples.push(...got);
      const t1 = env.target.set(ids, false);
      await env.receiver.waitFor(arrivedAll(env, ids, 'resolved', t1), opts.timeoutMs);
      const unresolved = (['nines', 'prometheus'] as const).filter((st) => ids.some((id) => !env.receiver.first(st, id, 'resolved', t1)));
      await sleep(300);
      const show = (stack: Stack) => {
        const mine = got.filter((x) => x.stack === stack);
        const ms = (v: number | undefined) => (v === undefined ? '-' : Number.isFinite(v) ? String(Math.round(v)) : 'timeout');
        return `${mine.map((x) => ms(x.latencyMs)).join(' ')} (probe ${mine.map((x) => ms(x.detectMs)).join(' ')})`;
      };
      env.say(`trial ${String(trial + 1).padStart(2)}/${opts.trials}: nines ${show('nines')} | prometheus ${show('prometheus')} ms${unresolved.length ? ` (no resolution from ${unresolved.join(', ')})` : ''}`);
    }
    const secs = (performance.now() - trialsStarted) / 1000;
    const rate = (stack: Stack) => ((env.target.hits[stack] - hits0[stack]) / all.length / secs).toFixed(2);
    env.say(`probes per endpoint per second during the trials: nines ${rate('nines')}, prometheus ${rate('prometheus')}`);
    const extra = (stack: Stack) => {
      const f = env.receiver.arrivals.filter((a) => a.stack === stack && a.status === 'firing');
      return f.length - new Set(f.map((a) => a.id)).size;
    };
    const extraFiring = { nines: extra('nines'), prometheus: extra('prometheus') };
    const stages = await ninesStages(nines.databaseUrl).catch((err) => {
      env.say(`could not read Nines' outbox timings: ${(err as Error).message}`);
      return undefined;
    });
    return { samples, stages, extraFiring };
  } finally {
    await Promise.all([prom?.stop(), nines?.stop()]);
  }
}

/**
 * Both stacks with their out-of-the-box settings. Each trial starts both afresh (a new group in
 * each, not one still inside group_interval from the last trial) on an endpoint never probed
 * before (so Prometheus' scrape phase, fixed per target by a hash, is drawn anew), and fails it at
 * a random moment within the next minute (the longest default interval of either).
 */
export async function runDefaults(env: Env, opts: { trials: number; timeoutMs: number }): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let trial = 0; trial < opts.trials; trial++) {
    const id = `d${trial}-${Math.random().toString(36).slice(2, 7)}`;
    let prom: PromStack | undefined;
    let nines: NinesRun | undefined;
    try {
      [prom, nines] = await Promise.all([
        startPrometheusStack({ dir: join(env.dir, `prom-defaults-${trial}`), profile: 'defaults', targets: [env.target.url(id)], webhookUrl: env.receiver.url('/am'), boundSeconds: env.boundSeconds }),
        startNines({ dir: env.dir, dbName: 'bench_time_to_notify_defaults', config: ninesConfig('defaults', [{ name: id, url: env.target.url(id) }], env.receiver.url('/nines')), boundSeconds: env.boundSeconds }),
      ]);
      const p = prom;
      await waitUntil('Prometheus to discover Alertmanager', () => prometheusSeesAlertmanager(p), 30_000, p.children[2]);
      const delay = Math.random() * 60_000;
      env.say(`defaults trial ${trial + 1}/${opts.trials}: endpoint ${id}, failing it in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay);
      const t0 = env.target.set([id], true);
      const ok = await env.receiver.waitFor(arrivedAll(env, [id], 'firing', t0), opts.timeoutMs);
      const got = collect(env, trial, [id], t0);
      samples.push(...got);
      env.target.set([id], false);
      const show = (stack: Stack) => {
        const x = got.find((g) => g.stack === stack)!;
        return Number.isFinite(x.latencyMs) ? `${(x.latencyMs / 1000).toFixed(1)} s` : 'timeout';
      };
      env.say(`defaults trial ${trial + 1}/${opts.trials}: nines ${show('nines')} | prometheus ${show('prometheus')}${ok ? '' : ' (timed out)'}`);
    } finally {
      await Promise.all([prom?.stop(), nines?.stop()]);
    }
  }
  return samples;
}
