import { useEffect, useState } from 'preact/hooks';
import { get, send, type Me } from '../api';
import { ago, time } from '../format';
import type { LiveState } from '../live';
import { Outcome } from './outcome';

interface Drill {
  id: number;
  system: string;
  started_at: string;
  ended_at: string | null;
  started_by: string | null;
  note: string | null;
}

/** Drills: start or stop one on a system; while it runs, the system's failovers are recorded as a drill, not an outage. */
export function DrillsPage({ live, me }: { live: LiveState; me: Me }) {
  const [drills, setDrills] = useState<Drill[]>();
  const [system, setSystem] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [said, setSaid] = useState('');
  const [busy, setBusy] = useState(false);
  const systems = [...live.order].sort();
  const load = () => get<{ drills: Drill[] } | Drill[]>('/api/v1/drills').then((r) => setDrills(Array.isArray(r) ? r : r.drills), (e) => setError((e as Error).message));
  useEffect(() => void load(), []);
  const running = new Set((drills ?? []).filter((d) => !d.ended_at).map((d) => d.system));
  const act = async (action: 'start' | 'stop', sys: string) => {
    setBusy(true);
    setError('');
    try {
      await send('POST', '/api/v1/drills', { system: sys, action, ...(action === 'start' && note.trim() ? { note: note.trim() } : {}) });
      setSaid(action === 'start' ? `Drill started on ${sys}.` : `Drill on ${sys} stopped.`);
      setNote('');
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Drills</h1>
      <p class="quiet">While a drill runs on a system, its failovers are recorded with the same timeline and measurements, marked as a drill and not counted against SLOs.</p>
      <form
        class="actions"
        onSubmit={(e) => {
          e.preventDefault();
          if (system) void act('start', system);
        }}
      >
        <label>
          System
          <select id="drill-system" value={system} onChange={(e) => setSystem((e.target as HTMLSelectElement).value)} required>
            <option value="">choose…</option>
            {systems.map((s) => (
              <option key={s} value={s} disabled={running.has(s)}>
                {s}
                {running.has(s) ? ' (drill running)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Note
          <input id="drill-note" value={note} maxLength={500} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" id="drill-start" disabled={busy || !system || running.has(system)}>
          Start drill
        </button>
        {me.mode === 'token' && <span class="quiet">Drills need a responder token.</span>}
      </form>
      <Outcome said={said} error={error} />
      <h2>Recorded drills</h2>
      {!drills ? (
        <p class="quiet">Loading…</p>
      ) : drills.length ? (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">System</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
                <th scope="col">By</th>
                <th scope="col">Note</th>
                <th scope="col">
                  <span class="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {drills.map((d) => (
                <tr key={d.id} data-drill={d.system} data-running={!d.ended_at}>
                  <th scope="row">
                    <a href={`/systems/${encodeURIComponent(d.system)}`}>{d.system}</a>
                  </th>
                  <td data-label="Started">
                    {time(d.started_at)} ({ago(d.started_at)})
                  </td>
                  <td data-label="Ended">{d.ended_at ? time(d.ended_at) : <b>running</b>}</td>
                  <td data-label="By">{d.started_by ?? '—'}</td>
                  <td data-label="Note">{d.note ?? ''}</td>
                  <td>
                    {!d.ended_at && (
                      <button type="button" disabled={busy} onClick={() => void act('stop', d.system)} aria-label={`Stop the drill on ${d.system}`}>
                        Stop
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="quiet">No drills yet.</p>
      )}
    </>
  );
}
