import { useEffect, useState } from 'preact/hooks';
import { ApiError, get } from '../api';
import { pct, span, time } from '../format';

type Range = { start: string; end: string };
type Excluded = { good: number; bad: number; events: number; ms: number; ranges: Range[] };

export interface Slo {
  name: string;
  description: string | null;
  objective: number;
  window: { spec: string; kind: string; start: string; end: string; period_start: string; period_end: string };
  measured: { unit: string; series: string[] };
  availability: number | null;
  nines_text: string;
  error_budget: { remaining_ratio: number | null; consumed_ratio: number | null; remaining_ms: number | null; total_ms: number | null; exhausted: boolean; summary: string };
  burn_rates: Record<string, number | null>;
  exhaustion: { in_ms: number | null; at: string | null };
  alerts: { severity: string; long_window: string; short_window: string; factor: number; firing: boolean }[];
  excluded: Record<string, Excluded>;
  daily?: { day: string; availability: number | null; budget_consumed_ratio: number | null }[];
}

const burn = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(2)}×`);
const budgetClass = (s: Slo) => (s.error_budget.exhausted ? 'h-down' : (s.error_budget.remaining_ratio ?? 1) < 0.25 ? 'h-degraded' : 'h-up');

export function SlosPage() {
  const [slos, setSlos] = useState<Slo[]>();
  const [error, setError] = useState('');
  useEffect(() => {
    get<{ slos: Slo[] }>('/api/v1/slos').then((r) => setSlos(r.slos), (e) => setError((e as Error).message));
  }, []);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!slos) return <p class="quiet">Loading SLOs…</p>;
  return (
    <>
      <h1>SLOs</h1>
      {slos.length ? (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">SLO</th>
                <th scope="col">Objective</th>
                <th scope="col">Availability</th>
                <th scope="col">Nines</th>
                <th scope="col">Budget left</th>
                <th scope="col">Burn 1h</th>
                <th scope="col">Burn 6h</th>
              </tr>
            </thead>
            <tbody>
              {slos.map((s) => (
                <tr key={s.name} data-slo={s.name}>
                  <th scope="row">
                    <a href={`/slos/${encodeURIComponent(s.name)}`}>{s.name}</a>
                  </th>
                  <td data-label="Objective">
                    {s.objective}% / {s.window.spec}
                  </td>
                  <td data-label="Availability">{pct(s.availability)}</td>
                  <td data-label="Nines">{s.nines_text}</td>
                  <td data-label="Budget left">
                    <span class={`badge ${budgetClass(s)}`}>{pct(s.error_budget.remaining_ratio, 1)}</span>
                  </td>
                  <td data-label="Burn 1h">{burn(s.burn_rates['1h'])}</td>
                  <td data-label="Burn 6h">{burn(s.burn_rates['6h'])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="quiet">No SLOs are defined (config `slos:` or POST /api/v1/slos).</p>
      )}
    </>
  );
}

/**
 * Error budget left at the end of each day (1 − consumed so far), against the even burn that
 * would spend it exactly by the window's end.
 */
export function burnDown(daily: NonNullable<Slo['daily']>): { day: string; remaining: number }[] {
  let used = 0;
  return daily.map((d) => {
    used += d.budget_consumed_ratio ?? 0;
    return { day: d.day, remaining: 1 - used };
  });
}

function BurnDown({ s }: { s: Slo }) {
  const pts = burnDown(s.daily ?? []);
  if (!pts.length) return <p class="quiet">No daily data yet.</p>;
  const W = 600;
  const H = 200;
  const lo = Math.min(0, ...pts.map((p) => p.remaining));
  const x = (i: number) => (pts.length === 1 ? W : (i / (pts.length - 1)) * W);
  const y = (v: number) => ((1 - v) / (1 - lo)) * H;
  const line = pts.map((p, i) => `${x(i).toFixed(1)},${y(p.remaining).toFixed(1)}`).join(' ');
  const last = pts[pts.length - 1];
  return (
    <figure class="burndown">
      <svg viewBox={`-4 -4 ${W + 8} ${H + 8}`} role="img" aria-labelledby="bd-title" data-chart="burn-down">
        <title id="bd-title">
          Error budget left per day: {pct(pts[0].remaining, 1)} on {pts[0].day}, {pct(last.remaining, 1)} on {last.day}
        </title>
        <line x1="0" y1={y(0)} x2={W} y2={y(0)} class="axis" />
        <line x1="0" y1={y(1)} x2={W} y2={y(0)} class="ideal" />
        <polyline points={line} class="actual" />
      </svg>
      <figcaption class="quiet">
        Budget left at the end of each day ({pts[0].day} to {last.day}); the dashed line spends it evenly over the window.
      </figcaption>
    </figure>
  );
}

export function SloPage({ name }: { name: string }) {
  const [s, setS] = useState<Slo>();
  const [error, setError] = useState('');
  useEffect(() => {
    get<Slo>(`/api/v1/slos/${encodeURIComponent(name)}`).then(setS, (e) => setError(e instanceof ApiError && e.status === 404 ? `There is no SLO named ${name}.` : (e as Error).message));
  }, [name]);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!s) return <p class="quiet">Loading SLO {name}…</p>;
  const b = s.error_budget;
  return (
    <>
      <h1>SLO {s.name}</h1>
      {s.description && <p>{s.description}</p>}
      <div class="measure">
        <div data-measure="objective">
          <span class="u">Objective</span>
          <span class="v">{s.objective}%</span>
          <span class="u">{s.window.kind} {s.window.spec}</span>
        </div>
        <div data-measure="availability">
          <span class="u">Availability</span>
          <span class="v">{pct(s.availability)}</span>
          <span class="u">{s.measured.unit}</span>
        </div>
        <div data-measure="nines">
          <span class="u">Nines</span>
          <span class="v">{s.nines_text}</span>
        </div>
        <div data-measure="budget">
          <span class="u">Error budget left</span>
          <span class="v">{pct(b.remaining_ratio, 1)}</span>
          <span class="u">{b.remaining_ms === null ? '' : `${span(Math.max(0, b.remaining_ms))} of ${span(b.total_ms)}`}</span>
        </div>
        <div data-measure="exhaustion">
          <span class="u">Exhausted at the 1h burn</span>
          <span class="v">{s.exhaustion.in_ms === null ? 'never' : span(s.exhaustion.in_ms)}</span>
        </div>
      </div>
      <p data-budget-summary>{b.summary}</p>
      <h2>Burn-down</h2>
      <BurnDown s={s} />
      <h2>Burn rates</h2>
      <dl class="facts" data-burn-rates>
        {Object.entries(s.burn_rates).map(([w, v]) => (
          <>
            <dt>{w}</dt>
            <dd>{burn(v)}</dd>
          </>
        ))}
      </dl>
      <h2>Burn-rate alerts</h2>
      <ul>
        {s.alerts.map((a) => (
          <li key={a.long_window} data-firing={a.firing}>
            {a.severity}: {a.long_window} and {a.short_window} above {a.factor}× — {a.firing ? <b>firing</b> : 'not firing'}
          </li>
        ))}
      </ul>
      <h2>Excluded time</h2>
      <ul data-excluded>
        {Object.entries(s.excluded).map(([reason, x]) => (
          <li key={reason} data-reason={reason}>
            {reason}: {x.ms ? span(x.ms) : 'none'}
            {x.ranges.length > 0 && ` (${x.ranges.map((r) => `${time(r.start)} – ${time(r.end)}`).join('; ')})`}
          </li>
        ))}
      </ul>
      <p class="quiet">
        Window {time(s.window.start)} – {time(s.window.end)}; series: {s.measured.series.join(', ')}.
      </p>
    </>
  );
}
