import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, send, type Me } from '../api';
import { ago, instant, span, time } from '../format';
import type { LiveState } from '../live';
import { Outcome } from './outcome';

interface Measurement {
  value_ms?: number;
  measured: string;
  uncertainty_ms?: number;
}

interface Incident {
  id: number;
  state: string;
  severity: string;
  title: string;
  root_system: string;
  systems: string[];
  drill: boolean;
  failovers: number;
  opened_at: string;
  acknowledged_at: string | null;
  acknowledged_by?: string;
  resolved_at: string | null;
  measurements: {
    time_to_detect?: Measurement;
    rto?: Measurement;
    failover_duration?: Measurement;
    rpo?: { lag_seconds?: number; lag_bytes?: number; lsn_diff_bytes?: number; measured: string };
    time_to_acknowledge?: Measurement;
    time_to_resolve?: Measurement;
  };
}

interface Entry {
  at: string;
  kind: string;
  system?: string;
  member?: string;
  message: string;
  details: Record<string, unknown>;
}

interface Alert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  fired_at: string | null;
  resolved_at: string | null;
}

const MILESTONES = new Set(['first_failure_observed', 'detected', 'alert_sent', 'failover_started', 'new_primary_elected', 'service_restored', 'old_primary_rejoined', 'acknowledged', 'resolved', 'reopened', 'root_cause_changed']);

function Figure({ label, m, id }: { label: string; m?: Measurement; id: string }) {
  return (
    <div data-measure={id}>
      <span class="u">{label}</span>
      <span class="v">{m?.value_ms === undefined ? '—' : span(m.value_ms)}</span>
      <span class="u">
        {m?.uncertainty_ms !== undefined && m.value_ms !== undefined ? `± ${span(m.uncertainty_ms)} · ` : ''}
        {m?.measured ?? 'not measured'}
      </span>
    </div>
  );
}

function Rpo({ r }: { r?: Incident['measurements']['rpo'] }) {
  const parts: string[] = [];
  if (r?.lag_seconds !== undefined) parts.push(`${r.lag_seconds.toFixed(1)} s`);
  if (r?.lag_bytes !== undefined) parts.push(`${r.lag_bytes} B lag`);
  if (r?.lsn_diff_bytes !== undefined) parts.push(`${r.lsn_diff_bytes} B by LSN`);
  return (
    <div data-measure="rpo">
      <span class="u">RPO estimate</span>
      <span class="v">{parts.length ? parts[0] : '—'}</span>
      <span class="u">
        {parts.slice(1).join(' · ')}
        {parts.length > 1 ? ' · ' : ''}
        {r?.measured ?? 'not measured'}
      </span>
    </div>
  );
}

export function IncidentPage({ id, live, me }: { id: number; live: LiveState; me: Me }) {
  const [inc, setInc] = useState<Incident>();
  const [timeline, setTimeline] = useState<Entry[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  /** A viewer sees the incident; acknowledging, resolving and notes need a responder. */
  const canAct = me.role !== 'viewer';
  const [said, setSaid] = useState('');
  const touched = live.touched.get(id) ?? 0;

  const load = async () => {
    try {
      const [i, t, a] = await Promise.all([get<Incident>(`/api/v1/incidents/${id}`), get<{ timeline: Entry[] }>(`/api/v1/incidents/${id}/timeline`), get<{ alerts: Alert[] }>(`/api/v1/alerts?incident=${id}&limit=200`)]);
      setInc(i);
      setTimeline(t.timeline);
      setAlerts(a.alerts);
      setError('');
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? `There is no incident #${id}.` : (err as Error).message);
    }
  };
  // Read again whenever the stream says this incident changed (a new event, an ack elsewhere).
  useEffect(() => void load(), [id, touched]);

  const act = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      setSaid(what);
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!inc) return error ? <p class="error" role="alert">{error}</p> : <p class="quiet">Loading incident #{id}…</p>;
  const m = inc.measurements ?? {};
  return (
    <>
      <h1>
        Incident #{inc.id}: {inc.title}
      </h1>
      <dl class="facts">
        <dt>State</dt>
        <dd data-state>
          {inc.state}
          {inc.drill ? ' (drill)' : ''}
        </dd>
        <dt>Severity</dt>
        <dd>{inc.severity}</dd>
        <dt>Opened</dt>
        <dd>
          {time(inc.opened_at)} ({ago(inc.opened_at)})
        </dd>
        <dt>Acknowledged</dt>
        <dd data-acknowledged>{inc.acknowledged_at ? `${time(inc.acknowledged_at)} by ${inc.acknowledged_by ?? '?'}` : 'not yet'}</dd>
        {inc.resolved_at && (
          <>
            <dt>Resolved</dt>
            <dd>{time(inc.resolved_at)}</dd>
          </>
        )}
        <dt>Root cause</dt>
        <dd>
          <a href={`/systems/${encodeURIComponent(inc.root_system)}`}>{inc.root_system}</a>
        </dd>
        <dt>Affected systems</dt>
        <dd>
          {inc.systems.map((s, i) => (
            <>
              {i > 0 && ', '}
              <a href={`/systems/${encodeURIComponent(s)}`}>{s}</a>
            </>
          ))}
        </dd>
      </dl>
      <div class="actions">
        {canAct && !inc.acknowledged_at && inc.state === 'open' && (
          <button type="button" class="primary" id="ack" disabled={busy} onClick={() => act('Acknowledged: repeats and escalation stop.', () => send('POST', `/api/v1/incidents/${id}/ack`, {}))}>
            Acknowledge
          </button>
        )}
        {canAct && inc.state === 'open' && (
          <button type="button" id="resolve" disabled={busy} onClick={() => confirm(`Resolve incident #${id} by hand? A new failure within 5 minutes reopens it.`) && act('Resolved.', () => send('POST', `/api/v1/incidents/${id}/resolve`, {}))}>
            Resolve
          </button>
        )}
        {!canAct && inc.state === 'open' && <span class="quiet" id="needs-responder">Acknowledging and resolving need the responder role; you are signed in as a viewer.</span>}
      </div>
      <Outcome said={said} error={error} />
      <h2>Measurements</h2>
      <div class="measure">
        <Figure label="Time to detect" m={m.time_to_detect} id="ttd" />
        <Figure label="RTO" m={m.rto} id="rto" />
        <Figure label="Failover duration" m={m.failover_duration} id="failover" />
        <Rpo r={m.rpo} />
        <Figure label="Time to acknowledge" m={m.time_to_acknowledge} id="tta" />
        <Figure label="Time to resolve" m={m.time_to_resolve} id="ttr" />
      </div>
      <h2>Timeline</h2>
      <ol class="timeline" aria-label="timeline">
        {timeline.map((e, i) => (
          <li key={i} class={`${MILESTONES.has(e.kind) ? 'milestone' : ''} ${/down|broken|no_primary|split|lagging|degraded/.test(e.kind) ? 'bad' : ''}`} data-kind={e.kind}>
            <time dateTime={e.at}>{instant(e.at)}</time>
            <b>{e.kind.replace(/_/g, ' ')}</b> {e.kind === 'note' ? `${String(e.details.by ?? '')}: ` : ''}
            {e.message}
          </li>
        ))}
      </ol>
      {canAct && (
      <form
        class="note"
        onSubmit={(e) => {
          e.preventDefault();
          void act('Note added.', async () => {
            await send('POST', `/api/v1/incidents/${id}/notes`, { text: note });
            setNote('');
          });
        }}
      >
        <label for="note-text">Add a note to the timeline</label>
        <textarea id="note-text" value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} required maxLength={4000} />
        <button type="submit" disabled={busy || !note.trim()}>
          Add note
        </button>
      </form>
      )}
      <h2>Alerts</h2>
      {alerts.length ? (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Alert</th>
                <th scope="col">State</th>
                <th scope="col">Summary</th>
                <th scope="col">Fired</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.fingerprint} data-alert={a.labels.alertname}>
                  <th scope="row">{a.labels.alertname}</th>
                  <td>{a.state}</td>
                  <td>{a.annotations.summary}</td>
                  <td>{a.fired_at ? ago(a.fired_at) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="quiet">No alerts recorded for this incident.</p>
      )}
    </>
  );
}
