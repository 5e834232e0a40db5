import { useEffect, useRef, useState } from 'preact/hooks';
import { get, send } from '../api';
import { ago, span, time } from '../format';
import type { LiveState } from '../live';

interface Routing {
  receiver: string;
  route: string;
  why: string[];
  repeat_interval_ms: number;
  escalate?: { after_ms: number; receiver: string };
}

interface ActiveAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  fired_at: string | null;
  active_at: string | null;
  incident_id: number | null;
  routing: Routing[];
  silenced_by: string[];
}

interface Silence {
  id: string;
  matchers: string[];
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  status: 'active' | 'pending' | 'expired';
}

interface Preview {
  valid: boolean;
  problem?: string;
  matchers: string[];
  active_alerts: number;
  would_mute: ActiveAlert[];
}

const DURATIONS: [string, number][] = [
  ['1 hour', 3_600_000],
  ['2 hours', 7_200_000],
  ['4 hours', 14_400_000],
  ['1 day', 86_400_000],
];

const shown = (l: Record<string, string>) =>
  Object.entries(l)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** Matchers that pick this alert out: its name and what names its source. */
function matchersFor(a: ActiveAlert): string {
  return ['alertname', 'system', 'member', 'target', 'slo']
    .filter((k) => a.labels[k])
    .map((k) => `${k}="${a.labels[k].replace(/["\\]/g, '\\$&')}"`)
    .join('\n');
}

function SilenceForm({ initial, onSaved }: { initial: string; onSaved: () => void }) {
  const [text, setText] = useState(initial);
  const [duration, setDuration] = useState(DURATIONS[0][1]);
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<Preview>();
  const [problem, setProblem] = useState('');
  const [saving, setSaving] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const matchers = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  useEffect(() => setText(initial), [initial]);
  useEffect(() => {
    if (initial) area.current?.focus();
  }, [initial]);
  // The preview follows the matchers as they are typed (debounced), from the server's own matcher code.
  useEffect(() => {
    setPreview(undefined);
    if (!matchers.length) return setProblem('');
    const t = setTimeout(async () => {
      try {
        const p = await get<Preview>(`/api/v1/silences/preview?${matchers.map((m) => `matchers=${encodeURIComponent(m)}`).join('&')}`);
        setPreview(p.valid ? p : undefined);
        setProblem(p.valid ? '' : (p.problem ?? 'not a valid silence'));
      } catch (err) {
        setProblem((err as Error).message);
      }
    }, 250);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <form
      class="silence-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaving(true);
        try {
          await send('POST', '/api/v1/silences', { matchers, ends_at: new Date(Date.now() + duration).toISOString(), comment, created_by: 'console' });
          setText('');
          setComment('');
          onSaved();
        } catch (err) {
          setProblem((err as Error).message);
        } finally {
          setSaving(false);
        }
      }}
    >
      <fieldset>
        <legend>New silence</legend>
        <p>
          <label for="sil-matchers">Matchers, one per line (e.g. alertname="TargetDown")</label>
          <textarea id="sil-matchers" ref={area} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} required />
        </p>
        <p>
          <label>
            For
            <select value={duration} onChange={(e) => setDuration(Number((e.target as HTMLSelectElement).value))}>
              {DURATIONS.map(([l, ms]) => (
                <option value={ms}>{l}</option>
              ))}
            </select>
          </label>
        </p>
        <p>
          <label for="sil-comment">Why (required)</label>
          <input id="sil-comment" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} required class="wide" />
        </p>
        <div class="preview" aria-live="polite" id="sil-preview">
          {problem ? (
            <p class="error">{problem}</p>
          ) : !matchers.length ? (
            <p class="quiet">Type matchers to see which current alerts they would mute.</p>
          ) : !preview ? (
            <p class="quiet">Checking…</p>
          ) : (
            <>
              <p>
                Would mute <b data-would-mute={preview.would_mute.length}>{preview.would_mute.length}</b> of {preview.active_alerts} current alerts
                {preview.would_mute.length ? ':' : '.'}
              </p>
              <ul>
                {preview.would_mute.map((a) => (
                  <li key={a.fingerprint} data-preview-alert={a.fingerprint}>
                    <b>{a.labels.alertname}</b> {shown(a.labels)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <button type="submit" class="primary" disabled={saving || !!problem || !preview || !comment.trim()}>
          Create silence
        </button>
      </fieldset>
    </form>
  );
}

export function AlertsPage({ live }: { live: LiveState }) {
  const [alerts, setAlerts] = useState<ActiveAlert[]>();
  const [silences, setSilences] = useState<Silence[]>([]);
  const [error, setError] = useState('');
  const [draft, setDraft] = useState('');
  const [said, setSaid] = useState('');
  const last = useRef(0);
  const load = async () => {
    last.current = Date.now();
    try {
      const [a, s] = await Promise.all([get<{ alerts: ActiveAlert[] }>('/api/v1/alerts/active'), get<{ silences: Silence[] }>('/api/v1/silences')]);
      setAlerts(a.alerts);
      setSilences(s.silences.filter((x) => x.status !== 'expired'));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  // Alerts follow what the stream reports (systems, incidents, silences), read at most every 2 s.
  useEffect(() => {
    const wait = Math.max(0, 2000 - (Date.now() - last.current));
    const t = setTimeout(() => void load(), wait);
    return () => clearTimeout(t);
  }, [live.version]);
  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setSaid(what);
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <h1>Alerts and silences</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p role="status" class="quiet">
        {said}
      </p>
      <h2>Pending and firing</h2>
      {!alerts ? (
        <p class="quiet">Loading…</p>
      ) : !alerts.length ? (
        <p class="quiet">Nothing pending or firing.</p>
      ) : (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Alert</th>
                <th scope="col">State</th>
                <th scope="col">Goes to (and why)</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.fingerprint} data-alert={a.labels.alertname} data-target={a.labels.target} data-system={a.labels.system} data-fingerprint={a.fingerprint}>
                  <th scope="row">
                    {a.labels.alertname} <span class="quiet">{a.labels.severity}</span>
                    <div class="quiet">{a.annotations.summary ?? shown(a.labels)}</div>
                    {a.incident_id && <a href={`/incidents/${a.incident_id}`}>incident #{a.incident_id}</a>}
                  </th>
                  <td>
                    {a.state}
                    <div class="quiet">{ago(a.fired_at ?? a.active_at)}</div>
                    {a.silenced_by.length > 0 && (
                      <span class="badge h-unknown" data-silenced>
                        silenced
                      </span>
                    )}
                  </td>
                  <td>
                    {a.routing.map((r) => (
                      <div key={r.route}>
                        <b>{r.receiver}</b> <span class="quiet">because {r.why.join(' → ')}; repeats every {span(r.repeat_interval_ms)}{r.escalate ? `; escalates to ${r.escalate.receiver} after ${span(r.escalate.after_ms)}` : ''}</span>
                      </div>
                    ))}
                    {!a.routing.length && <span class="quiet">no route (alerting.route is not configured)</span>}
                  </td>
                  <td>
                    <button type="button" aria-label={`Silence ${a.labels.alertname} ${shown(a.labels)}`} onClick={() => setDraft(matchersFor(a))}>
                      Silence…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Silences</h2>
      <SilenceForm initial={draft} onSaved={() => void act('Silence created.', async () => setDraft(''))} />
      {silences.length ? (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Matchers</th>
                <th scope="col">Until</th>
                <th scope="col">By, why</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {silences.map((s) => (
                <tr key={s.id} data-silence={s.id}>
                  <th scope="row">
                    <code>{s.matchers.join(', ')}</code> {s.status === 'pending' && <span class="quiet">(starts {time(s.starts_at)})</span>}
                  </th>
                  <td>{time(s.ends_at)}</td>
                  <td>
                    {s.created_by}: {s.comment}
                  </td>
                  <td>
                    <button type="button" onClick={() => act('Silence extended by an hour.', () => send('POST', `/api/v1/silences/${s.id}/extend`, { ends_at: new Date(Date.parse(s.ends_at) + 3_600_000).toISOString() }))}>
                      +1 hour
                    </button>{' '}
                    <button type="button" class="danger" onClick={() => act('Silence expired.', () => send('DELETE', `/api/v1/silences/${s.id}`))}>
                      Expire
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="quiet">No active silences.</p>
      )}
    </>
  );
}
