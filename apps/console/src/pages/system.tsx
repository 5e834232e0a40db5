import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from '../api';
import { bytes, span, time } from '../format';
import type { LiveState } from '../live';
import { SystemTile } from './overview';

/** GET /api/v1/systems/:name/history (apps/nines/src/topology/systems.service.ts). */
interface History {
  since: string;
  until: string;
  roles: { truncated: boolean; changes: { at: string; member?: string; kind: string; role?: string; message: string; incident_id?: number; drill?: boolean }[] };
  lag: { bucket_ms: number; kept_ms: number; members: { member: string; points: { at: string; lag_seconds: number | null; lag_bytes: number | null }[] }[] };
}

interface Measurement {
  value_ms?: number;
  uncertainty_ms?: number;
  measured: string;
}

interface Incident {
  id: number;
  state: string;
  title: string;
  drill: boolean;
  failovers: number;
  opened_at: string;
  resolved_at: string | null;
  measurements: { rto?: Measurement; failover_duration?: Measurement; rpo?: { lag_seconds?: number; lag_bytes?: number; lsn_diff_bytes?: number; measured: string } };
}

interface SloRow {
  name: string;
  objective: number;
  window: { spec: string };
  availability: number | null;
  nines_text: string;
  error_budget: { remaining_ratio: number | null };
  definition?: { selector?: { system?: string } };
}

const measured = (m?: Measurement) => (m?.value_ms === undefined ? '—' : `${span(m.value_ms)}${m.uncertainty_ms !== undefined ? ` ± ${span(m.uncertainty_ms)}` : ''}`);

function rpo(r?: Incident['measurements']['rpo']): string {
  const parts: string[] = [];
  if (r?.lag_seconds !== undefined) parts.push(`${r.lag_seconds.toFixed(1)} s`);
  if (r?.lag_bytes !== undefined) parts.push(`${bytes(r.lag_bytes)} lag`);
  if (r?.lsn_diff_bytes !== undefined) parts.push(`${bytes(r.lsn_diff_bytes)} by LSN`);
  return parts.join(' · ') || '—';
}

const pctOf = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(3)}%`);

/** One line per member over the range: the largest lag (seconds) in each bucket. */
function LagChart({ h }: { h: History }) {
  const members = h.lag.members.filter((m) => m.points.some((p) => p.lag_seconds !== null));
  if (!members.length)
    return (
      <p class="quiet" data-lag-none>
        No replication lag was stored for this system between {time(h.since)} and {time(h.until)} (lag is kept with the raw probe results, {span(h.lag.kept_ms)}).
      </p>
    );
  const W = 600;
  const H = 160;
  const t0 = Date.parse(h.since);
  const t1 = Date.parse(h.until);
  const top = Math.max(0.001, ...members.flatMap((m) => m.points.map((p) => p.lag_seconds ?? 0)));
  const x = (iso: string) => ((Date.parse(iso) - t0) / (t1 - t0)) * W;
  const y = (v: number) => H - (v / top) * H;
  const summary = members
    .map((m) => {
      const vals = m.points.map((p) => p.lag_seconds).filter((v): v is number => v !== null);
      return `${m.member}: at most ${span(Math.max(...vals) * 1000)}, last ${span(vals[vals.length - 1] * 1000)}`;
    })
    .join('; ');
  return (
    <figure class="burndown">
      <svg viewBox={`-4 -4 ${W + 8} ${H + 8}`} role="img" aria-labelledby="lag-title" data-chart="lag">
        <title id="lag-title">
          Replication lag from {time(h.since)} to {time(h.until)}, largest per {span(h.lag.bucket_ms)}: {summary}
        </title>
        <line x1="0" y1={H} x2={W} y2={H} class="axis" />
        {members.map((m, i) => (
          <polyline
            key={m.member}
            data-member={m.member}
            class={`actual lag-${i % 4}`}
            points={m.points
              .filter((p) => p.lag_seconds !== null)
              .map((p) => `${x(p.at).toFixed(1)},${y(p.lag_seconds!).toFixed(1)}`)
              .join(' ')}
          />
        ))}
      </svg>
      <figcaption class="quiet">
        Largest lag per {span(h.lag.bucket_ms)} (top of the chart: {span(top * 1000)}): {summary}. From the raw probe results, kept {span(h.lag.kept_ms)}.
      </figcaption>
    </figure>
  );
}

export function SystemPage({ name, live }: { name: string; live: LiveState }) {
  const s = live.systems.get(name);
  const [h, setH] = useState<History>();
  const [incidents, setIncidents] = useState<Incident[]>();
  const [slos, setSlos] = useState<SloRow[]>();
  const [error, setError] = useState('');
  // Refetch when the live card changes (a failover lands in the history without a reload).
  const stamp = s?.updated_at ?? '';
  useEffect(() => {
    const q = encodeURIComponent(name);
    get<History>(`/api/v1/systems/${q}/history`).then(setH, (e) => setError(e instanceof ApiError && e.status === 404 ? '' : (e as Error).message));
    get<{ incidents: Incident[] }>(`/api/v1/incidents?system=${q}&limit=50`).then((r) => setIncidents(r.incidents), (e) => setError((e as Error).message));
  }, [name, stamp]);
  useEffect(() => {
    get<{ slos: SloRow[] }>('/api/v1/slos').then((r) => setSlos(r.slos.filter((x) => x.definition?.selector?.system === name)), (e) => setError((e as Error).message));
  }, [name]);
  const failovers = incidents?.filter((i) => i.failovers > 0 || i.measurements?.rto?.value_ms !== undefined);
  return (
    <>
      <h1>{name}</h1>
      {s ? <SystemTile s={s} /> : <p class="quiet">{live.connected ? `No system named ${name}.` : 'Loading…'}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <h2>Failovers</h2>
      {!failovers ? (
        <p class="quiet">Loading…</p>
      ) : failovers.length ? (
        <div class="table-wrap">
          <table class="stack" data-failovers>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Opened</th>
                <th scope="col">RTO</th>
                <th scope="col">Failover</th>
                <th scope="col">RPO estimate</th>
              </tr>
            </thead>
            <tbody>
              {failovers.map((i) => (
                <tr key={i.id} data-incident-id={i.id}>
                  <th scope="row">
                    <a href={`/incidents/${i.id}`}>{i.title}</a>
                    {i.drill ? ' (drill)' : ''}
                  </th>
                  <td data-label="Opened">{time(i.opened_at)}</td>
                  <td data-label="RTO" data-rto>
                    {measured(i.measurements?.rto)}
                  </td>
                  <td data-label="Failover">{measured(i.measurements?.failover_duration)}</td>
                  <td data-label="RPO estimate">{rpo(i.measurements?.rpo)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="quiet">No failover of {name} is recorded.</p>
      )}
      <h2>Roles over time</h2>
      {!h ? (
        <p class="quiet">Loading…</p>
      ) : h.roles.changes.length ? (
        <>
          {h.roles.truncated && <p class="quiet">Only the latest {h.roles.changes.length} changes are shown.</p>}
          <div class="table-wrap">
            <table class="stack" data-role-history>
              <caption class="quiet">
                Member and role changes from {time(h.since)} to {time(h.until)}, oldest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Member</th>
                  <th scope="col">Role after</th>
                  <th scope="col">What happened</th>
                </tr>
              </thead>
              <tbody>
                {h.roles.changes.map((c, i) => (
                  <tr key={i} data-kind={c.kind} data-member={c.member ?? ''} data-role={c.role ?? ''}>
                    <th scope="row">{time(c.at)}</th>
                    <td data-label="Member">{c.member ?? '—'}</td>
                    <td data-label="Role after">{c.role ?? '—'}</td>
                    <td data-label="What happened">
                      {c.message}
                      {c.incident_id !== undefined && (
                        <>
                          {' '}
                          (<a href={`/incidents/${c.incident_id}`}>incident {c.incident_id}</a>)
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p class="quiet">No member or role change between {time(h.since)} and {time(h.until)}.</p>
      )}
      <h2>Replication lag</h2>
      {h ? <LagChart h={h} /> : <p class="quiet">Loading…</p>}
      <h2>SLOs</h2>
      {!slos ? (
        <p class="quiet">Loading…</p>
      ) : slos.length ? (
        <ul data-system-slos>
          {slos.map((x) => (
            <li key={x.name} data-slo={x.name}>
              <a href={`/slos/${encodeURIComponent(x.name)}`}>{x.name}</a>: {x.objective}% over {x.window.spec}, availability {pctOf(x.availability)}, {x.nines_text} nines, budget left{' '}
              {pctOf(x.error_budget.remaining_ratio)}
            </li>
          ))}
        </ul>
      ) : (
        <p class="quiet">No SLO selects {name} (an SLO with selector: {'{'} system: {name} {'}'} would).</p>
      )}
    </>
  );
}
