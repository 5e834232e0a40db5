import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeTarget } from '../../probes/src/target';
import type { TargetState } from '../../probes/src/target-state';
import { staleAfterMs, systemsUp, targetSeries, type StoredTargetState } from './target-series';

const T0 = Date.parse('2026-12-06T10:00:00Z');
const target = (key: string, extra: Partial<ProbeTarget> = {}): ProbeTarget => ({
  key,
  name: key,
  intervalMs: 5000,
  timeoutMs: 1000,
  labels: {},
  probe: { kind: 'tcp' },
  ...extra,
});
const live = (at: number, up: boolean, extra: Partial<NonNullable<TargetState['lastResult']>> = {}): TargetState => ({
  status: up ? 'up' : 'down',
  since: at,
  consecutiveFailures: up ? 0 : 1,
  consecutiveSuccesses: up ? 1 : 0,
  lastResult: { targetKey: 'x', scheduledAt: at, startedAt: at, durationMs: 12, up, ...extra },
});
const row = (key: string, at: number, up: boolean, extra: Partial<StoredTargetState> = {}): StoredTargetState => ({
  key,
  last_scheduled_at: new Date(at),
  last_success: up,
  last_duration_ms: 30,
  status: up ? 'up' : 'down',
  http_status: null,
  cert_expiry: null,
  role: null,
  lag_seconds: null,
  lag_bytes: null,
  ...extra,
});

describe('per-target series: the freshest of this prober and the shared rows', () => {
  it('with the database unreachable (no rows at all), targets this prober probes keep their series from its own state', () => {
    const states = new Map([['web', live(T0, true)]]);
    const s = targetSeries([target('web'), target('other')], new Map(), (k) => states.get(k), T0 + 1000);
    assert.deepEqual(
      s.map((x) => [x.key, x.success, x.source, x.stale]),
      [['web', true, 'prober', false]],
    );
  });

  it("a newer row (another replica took the target over) beats this prober's old memory of it", () => {
    const states = new Map([['web', live(T0, true)]]);
    const s = targetSeries([target('web')], new Map([['web', row('web', T0 + 5000, false)]]), (k) => states.get(k), T0 + 6000);
    assert.deepEqual([s[0].success, s[0].source, s[0].durationMs], [false, 'database', 30]);
  });

  it("this prober's newer result beats the row it has not written yet", () => {
    const states = new Map([['web', live(T0 + 5000, false, { httpStatus: 503, certExpiry: 1_900_000_000 })]]);
    const s = targetSeries([target('web')], new Map([['web', row('web', T0, true)]]), (k) => states.get(k), T0 + 5100);
    assert.deepEqual([s[0].success, s[0].source, s[0].httpStatus, s[0].certExpiry], [false, 'prober', 503, 1_900_000_000]);
  });

  it('a target nobody has probed yet has no series (no false 0 at start-up)', () => {
    assert.deepEqual(targetSeries([target('new')], new Map([['new', row('new', T0, true, { last_success: null, last_scheduled_at: null })]]), () => undefined, T0), []);
  });

  it('labels come from the config, so a target removed from it takes its series along', () => {
    const s = targetSeries([target('pg1', { system: 'db', member: 'pg1', layer: 'storage', probe: { kind: 'postgres' } })], new Map([['gone', row('gone', T0, true)], ['pg1', row('pg1', T0, true, { role: 'primary', lag_bytes: 0 })]]), () => undefined, T0);
    assert.deepEqual(
      s.map((x) => [x.key, x.system, x.member, x.layer, x.kind, x.role, x.lagBytes]),
      [['pg1', 'db', 'pg1', 'storage', 'postgres', 'primary', 0]],
    );
  });

  it('stale after two intervals plus the timeout without a newer result, and still exported', () => {
    const t = target('web');
    assert.equal(staleAfterMs(t), 11_000);
    const rows = new Map([['web', row('web', T0, true)]]);
    assert.equal(targetSeries([t], rows, () => undefined, T0 + 11_000)[0].stale, false);
    const late = targetSeries([t], rows, () => undefined, T0 + 11_001);
    assert.deepEqual([late.length, late[0].stale, late[0].success], [1, true, true]);
  });
});

describe('nines_system_up from the series', () => {
  it('the endpoint decides when there is one; otherwise any member up; unprobed systems are absent', () => {
    const m = (key: string, system: string, up: boolean, isEndpoint = false) => ({ ...targetSeries([target(key, { system, member: isEndpoint ? undefined : key, isEndpoint })], new Map([[key, row(key, T0, up)]]), () => undefined, T0)[0] });
    const up = systemsUp([m('a1', 'a', false), m('a2', 'a', true), m('b1', 'b', true), m('b@', 'b', false, true), m('c1', 'c', false)]);
    assert.deepEqual([...up].sort(), [['a', true], ['b', false], ['c', false]]);
  });
});
