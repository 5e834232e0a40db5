import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { ManualClock } from '../../common/src/clock';
import { parseConfig } from '../../config/src/config';
import type { TargetState } from '../../probes/src/target-state';
import type { TargetView } from '../../storage/src/state.repository';
import { IncidentCollector } from './incident-collector';
import { NinesMetrics } from './metrics';
import { SloCollector } from './slo-collector';
import { StateCollector } from './state-collector';

const T0 = Date.parse('2026-12-06T10:00:00Z');

/** The exposition as `name{labels} value` lines, without comments. */
async function lines(registry: Registry, prefix: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith(prefix));
}

const config = (yaml: string) => parseConfig(yaml, {});

const CONFIG = `
systems:
  - name: cache
    layer: cache
    kind: redis
    members:
      - { name: r1, probe: { kind: redis, url: "redis://127.0.0.1:1" } }
      - { name: r2, probe: { kind: redis, url: "redis://127.0.0.1:2" } }
  - name: db
    layer: storage
    kind: postgres
    members:
      - { name: pg1, probe: { kind: postgres, url: "postgres://u:secret@127.0.0.1:3/x" } }
targets:
  - { name: web, probe: { kind: http, url: "http://127.0.0.1:4/" }, interval: 5s, timeout: 1s }
smtp: { url: "smtp://127.0.0.1:6", from: "nines@example.com" }
alerting:
  receivers:
    - { name: oncall, email: { to: [a@example.com] } }
    - { name: hook, webhook: { url: "http://127.0.0.1:5/", allow_private: true } }
  route: { receiver: oncall }
`;

describe('StateCollector while the database is unreachable', () => {
  it("keeps this prober's targets live, holds the last rows of the others, and marks them stale by the rule", async () => {
    const cfg = config(CONFIG);
    const clock = new ManualClock(T0);
    let dbUp = true;
    const view = (key: string, up: boolean, at: number): TargetView =>
      ({ key, last_scheduled_at: new Date(at), last_success: up, last_duration_ms: 20, status: up ? 'up' : 'down', http_status: null, cert_expiry: null, role: 'primary', lag_seconds: null, lag_bytes: null }) as TargetView;
    const state = {
      targets: async () => {
        if (!dbUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        return [view('cache/r1', true, clock.now()), view('db/pg1', true, clock.now())];
      },
      topologyLag: async () => {
        if (!dbUp) throw new Error('connect ECONNREFUSED');
        return [];
      },
    };
    const mine = new Map<string, TargetState>();
    const probe = (key: string, up: boolean) =>
      mine.set(key, { status: up ? 'up' : 'down', since: clock.now(), consecutiveFailures: 0, consecutiveSuccesses: 1, lastResult: { targetKey: key, scheduledAt: clock.now(), startedAt: clock.now(), durationMs: 5, up } });
    const registry = new Registry();
    new StateCollector({ targets: () => cfg.targets, state, live: () => (k) => mine.get(k), clock, maxAgeMs: 0 }, registry);
    probe('web', true);
    const before = await lines(registry, 'probe_success');
    assert.equal(before.length, 3, before.join('\n')); // r2 never probed: no series

    dbUp = false;
    clock.advance(60_000);
    probe('web', false); // this process goes on probing
    const during = await lines(registry, 'probe_success');
    assert.deepEqual(during.map((l) => l.replace(/\{.*target="([^"]+)".*\}/, ' $1')).sort(), ['probe_success cache/r1 1', 'probe_success db/pg1 1', 'probe_success web 0']);
    const stale = await lines(registry, 'nines_probe_stale');
    assert.deepEqual(stale.map((l) => [/target="([^"]+)"/.exec(l)![1], l.slice(-1)]).sort(), [['cache/r1', '1'], ['db/pg1', '1'], ['web', '0']]);
    assert.equal((await lines(registry, 'nines_system_up')).length, 2);
    assert.equal((await lines(registry, 'nines_member_role')).length, 2);
  });
});

describe('IncidentCollector', () => {
  it('exports nines_failovers_total at 0 for every configured system, keeps the last counts while the database is down, and follows reloads', async () => {
    let systems = ['cache', 'db'];
    let dbUp = true;
    const registry = new Registry();
    new IncidentCollector(
      {
        query: {
          openCount: async () => (dbUp ? [{ severity: 'critical', drill: false, n: 1 }] : Promise.reject(new Error('down'))),
          failoversBySystem: async () => (dbUp ? [{ system: 'cache', n: 2 }] : Promise.reject(new Error('down'))),
        },
        systems: () => systems,
      },
      registry,
    );
    assert.deepEqual(await lines(registry, 'nines_failovers_total'), ['nines_failovers_total{system="cache"} 2', 'nines_failovers_total{system="db"} 0']);
    dbUp = false;
    assert.deepEqual(await lines(registry, 'nines_failovers_total'), ['nines_failovers_total{system="cache"} 2', 'nines_failovers_total{system="db"} 0']);
    assert.ok((await lines(registry, 'nines_incidents_open')).includes('nines_incidents_open{severity="critical",drill="false"} 1'));
    systems = ['db', 'queue'];
    assert.deepEqual(await lines(registry, 'nines_failovers_total'), ['nines_failovers_total{system="db"} 0', 'nines_failovers_total{system="queue"} 0']);
  });
});

describe('NinesMetrics.follow', () => {
  it('exports every receiver × outcome and probe kind × reason at 0, and drops what a reload removes', async () => {
    const m = new NinesMetrics({ defaultMetrics: false });
    m.follow(config(CONFIG));
    const sent = await lines(m.registry, 'nines_notifications_total');
    assert.deepEqual(sent.sort(), [
      'nines_notifications_total{receiver="hook",outcome="dead"} 0',
      'nines_notifications_total{receiver="hook",outcome="failed"} 0',
      'nines_notifications_total{receiver="hook",outcome="sent"} 0',
      'nines_notifications_total{receiver="oncall",outcome="dead"} 0',
      'nines_notifications_total{receiver="oncall",outcome="failed"} 0',
      'nines_notifications_total{receiver="oncall",outcome="sent"} 0',
    ]);
    assert.deepEqual((await lines(m.registry, 'nines_probes_total')).sort(), ['nines_probes_total{kind="http"} 0', 'nines_probes_total{kind="postgres"} 0', 'nines_probes_total{kind="redis"} 0']);
    assert.ok((await lines(m.registry, 'nines_probes_failed_total')).includes('nines_probes_failed_total{kind="redis",reason="timeout"} 0'));
    assert.ok((await lines(m.registry, 'nines_notification_latency_seconds_count')).includes('nines_notification_latency_seconds_count{receiver="hook"} 0'));
    m.notifications.inc({ receiver: 'oncall', outcome: 'sent' });

    m.follow(config(CONFIG.replace('- { name: hook, webhook: { url: "http://127.0.0.1:5/", allow_private: true } }', '').replace(/  - name: db[\s\S]*?(?=targets:)/, '')));
    const after = await lines(m.registry, 'nines_notifications_total');
    assert.deepEqual(after.sort(), ['nines_notifications_total{receiver="oncall",outcome="dead"} 0', 'nines_notifications_total{receiver="oncall",outcome="failed"} 0', 'nines_notifications_total{receiver="oncall",outcome="sent"} 1']);
    assert.deepEqual((await lines(m.registry, 'nines_probes_total')).sort(), ['nines_probes_total{kind="http"} 0', 'nines_probes_total{kind="redis"} 0']);
    assert.equal((await lines(m.registry, 'nines_notification_latency_seconds_count')).some((l) => l.includes('hook')), false);
  });
});

describe('SloCollector before the first event', () => {
  it('every series from the first scrape: budget 1, burn 0, availability and nines NaN; the last evaluation stays when one fails', async () => {
    const report = {
      plan: { def: { name: 'web-avail', objective: 99.9 }, window: { label: '30d' } },
      numbers: { sli: null, bad: 0, valid: 0 },
      budget: { remainingRatio: null, remainingMs: 0 },
      burnRates: { '5m': null, '1h': null },
      nines: null,
    };
    let ok = true;
    const metrics = new NinesMetrics({ defaultMetrics: false });
    new SloCollector(async () => (ok ? [report as never] : Promise.reject(new Error('db down'))), metrics.registry);
    // The exposition as served: prom-client alone would write NaN as `Nan`.
    const all = async () => (await metrics.exposition()).split('\n').filter((l) => l.startsWith('nines_slo_')).sort();
    const first = await all();
    assert.deepEqual(first, [
      'nines_slo_availability_ratio{slo="web-avail",window="1h"} NaN',
      'nines_slo_availability_ratio{slo="web-avail",window="30d"} NaN',
      'nines_slo_availability_ratio{slo="web-avail",window="5m"} NaN',
      'nines_slo_burn_rate{slo="web-avail",window="1h"} 0',
      'nines_slo_burn_rate{slo="web-avail",window="5m"} 0',
      'nines_slo_error_budget_remaining_ratio{slo="web-avail"} 1',
      'nines_slo_error_budget_remaining_seconds{slo="web-avail"} 0',
      'nines_slo_nines{slo="web-avail"} NaN',
      'nines_slo_objective_ratio{slo="web-avail"} 0.999',
    ]);
    ok = false;
    assert.deepEqual(await all(), first);
  });
});
