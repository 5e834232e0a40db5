import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api';
import { ago, lag, span } from '../format';
import type { LiveState } from '../live';
import type { IncidentCard, SystemCard, TargetCard } from '../types';

const LAYER_NAMES: Record<string, string> = {
  access: 'Access',
  proxy: 'Proxy',
  gateway: 'Gateway',
  service: 'Service',
  registry: 'Registry',
  coordination: 'Coordination',
  cache: 'Cache',
  search: 'Search',
  queue: 'Queue',
  storage: 'Storage',
  network: 'Network',
  external: 'External',
};

const TARGETS_SHOWN = 200;

export function Health({ health }: { health: string }) {
  return <span class={`badge h-${health}`}>{health}</span>;
}

function Member({ m }: { m: SystemCard['members'][number] }) {
  return (
    <li class={`member s-${m.status}`} data-member={m.name}>
      <span class="m-name">{m.name}</span>
      <span class="m-role" data-role>{m.status === 'down' ? `down${m.role ? ` (was ${m.role})` : ''}` : (m.role ?? m.status)}</span>
      {(m.lag_seconds !== undefined || m.lag_bytes !== undefined) && <span class="m-lag" title="replication lag">lag {lag(m.lag_seconds, m.lag_bytes)}</span>}
      {m.problem && <span class="m-problem">{m.problem}</span>}
    </li>
  );
}

export function SystemTile({ s }: { s: SystemCard }) {
  return (
    <article class={`card sys h-${s.health}`} data-system={s.name} aria-labelledby={`sys-${s.name}`}>
      <header>
        <h3 id={`sys-${s.name}`}>
          <a href={`/systems/${encodeURIComponent(s.name)}`}>{s.name}</a>
        </h3>
        <Health health={s.health} />
      </header>
      <p class="meta">
        {s.kind}
        {s.primary && (
          <>
            {' · primary '}
            <b data-primary>{s.primary}</b>
          </>
        )}
        {s.vip_holder && (
          <>
            {' · VIP on '}
            <b data-vip>{s.vip_holder}</b>
          </>
        )}
        {s.endpoint && ` · endpoint ${s.endpoint}`}
      </p>
      {s.members.length > 0 && <ul class="members">{s.members.map((m) => <Member key={m.name} m={m} />)}</ul>}
      {s.problems.length > 0 && s.health !== 'up' && <p class="problems">{s.problems.slice(0, 3).join('; ')}</p>}
      {s.incident && (
        <p class="inc-link">
          <a href={`/incidents/${s.incident.id}`} data-incident={s.incident.id}>
            Incident #{s.incident.id}
            {s.incident.acknowledged ? ' (acknowledged)' : ' — not acknowledged'}
          </a>
        </p>
      )}
    </article>
  );
}

export function IncidentList({ incidents }: { incidents: IncidentCard[] }) {
  if (!incidents.length) return <p class="quiet">No open incidents.</p>;
  return (
    <ul class="incidents">
      {incidents.map((i) => (
        <li key={i.id} class={`sev-${i.severity}`}>
          <a href={`/incidents/${i.id}`}>
            #{i.id} {i.title}
          </a>{' '}
          <span class="quiet">
            {i.severity}
            {i.drill ? ' · drill' : ''} · opened {ago(i.opened_at)} · {i.acknowledged_at ? `acknowledged by ${i.acknowledged_by ?? '?'}` : 'not acknowledged'}
          </span>
        </li>
      ))}
    </ul>
  );
}

function Targets({ targets, filter, onlyProblems }: { targets: TargetCard[]; filter: string; onlyProblems: boolean }) {
  const [all, setAll] = useState(false);
  const shown = targets.filter((t) => (!onlyProblems || t.state !== 'up') && (!filter || t.name.toLowerCase().includes(filter)));
  // Down first, then unknown, then up; by name within.
  const rank: Record<string, number> = { down: 0, unknown: 1, up: 2 };
  shown.sort((a, b) => (rank[a.state] ?? 1) - (rank[b.state] ?? 1) || a.name.localeCompare(b.name));
  const list = all ? shown : shown.slice(0, TARGETS_SHOWN);
  if (!targets.length) return null;
  return (
    <section aria-labelledby="targets-h">
      <h2 id="targets-h">
        Targets <span class="quiet">({targets.filter((t) => t.state === 'down').length} down of {targets.length})</span>
      </h2>
      <div class="table-wrap">
        <table class="targets">
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">State</th>
              <th scope="col" class="num">Latency</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {list.map((t) => (
              <tr key={t.name} class={`s-${t.state}`} data-target={t.name}>
                <th scope="row">{t.name}</th>
                <td>
                  <span class={`badge h-${t.state === 'up' ? 'up' : t.state === 'down' ? 'down' : 'unknown'}`}>{t.state}</span>
                  {t.reason && <span class="reason"> {t.reason}</span>}
                </td>
                <td class="num">{t.latency_ms === null ? '—' : span(t.latency_ms)}</td>
                <td>{ago(t.since)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length > list.length && (
        <p>
          <button type="button" onClick={() => setAll(true)}>
            Show all {shown.length.toLocaleString()} targets
          </button>
        </p>
      )}
    </section>
  );
}

/** GET /api/v1/locations, the parts the overview shows. */
interface LocationsReport {
  locations: { name: string; up: boolean; probers: number; last_seen: string; partition: null | { unreachable: string[]; message: string } }[];
  split_brain: { system: string; message: string }[];
  degraded: { target: string; location: string; message: string }[];
}

const LOCATIONS_EVERY_MS = 5000;

/**
 * Where Nines probes from, when probers declare locations: each location up or not, a cut
 * location's partition, split brain seen from outside, targets some locations see down. Nothing
 * at all for a single vantage point.
 */
function Locations() {
  const [report, setReport] = useState<LocationsReport>();
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const r = await get<LocationsReport>('/api/v1/locations');
        if (!stop) setReport(r);
      } catch {
        // the next round tries again; the live stream's status shows a broken connection
      }
      if (!stop) timer = setTimeout(load, LOCATIONS_EVERY_MS);
    };
    void load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, []);
  if (!report?.locations.length) return null;
  return (
    <section aria-labelledby="loc-h" class="locations">
      <h2 id="loc-h">
        Probing locations <span class="quiet">({report.locations.filter((l) => l.up).length} up of {report.locations.length})</span>
      </h2>
      <ul class="loc-list">
        {report.locations.map((l) => (
          <li key={l.name} data-location={l.name} class={l.up ? (l.partition ? 'h-degraded' : 'h-up') : 'h-down'}>
            <b>{l.name}</b> <span class={`badge h-${!l.up ? 'down' : l.partition ? 'degraded' : 'up'}`}>{!l.up ? 'down' : l.partition ? 'cut off' : 'up'}</span>{' '}
            <span class="quiet">
              {l.probers} prober{l.probers === 1 ? '' : 's'}
              {!l.up && `, last seen ${ago(l.last_seen)}`}
            </span>
            {l.partition && <p class="reason">{l.partition.message}</p>}
          </li>
        ))}
      </ul>
      {report.split_brain.map((s) => (
        <p key={s.system} class="error" data-split-brain={s.system}>
          {s.message}
        </p>
      ))}
      {report.degraded.length > 0 && (
        <ul class="quiet">
          {report.degraded.slice(0, 20).map((d) => (
            <li key={`${d.target}@${d.location}`} data-degraded={d.target}>
              {d.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function OverviewPage({ live }: { live: LiveState }) {
  const [filter, setFilter] = useState('');
  const [onlyProblems, setOnlyProblems] = useState(false);
  const f = filter.trim().toLowerCase();
  const systems = live.order.map((n) => live.systems.get(n)!).filter(Boolean);
  const layers = useMemo(() => {
    const by = new Map<string, SystemCard[]>();
    for (const s of systems) {
      if (onlyProblems && s.health === 'up' && !s.incident) continue;
      if (f && !s.name.toLowerCase().includes(f) && !s.members.some((m) => m.name.toLowerCase().includes(f))) continue;
      by.set(s.layer, [...(by.get(s.layer) ?? []), s]);
    }
    return [...by];
  }, [live.version, f, onlyProblems]);
  const count = (h: string) => systems.filter((s) => s.health === h).length;
  const incidents = [...live.incidents.values()].sort((a, b) => b.id - a.id);
  return (
    <>
      <h1>Overview</h1>
      <p class="summary" aria-label="summary">
        <span>
          <b>{systems.length}</b> systems: {count('up')} up, {count('degraded')} degraded, {count('down')} down
          {count('unknown') ? `, ${count('unknown')} unknown` : ''}
        </span>
        <span>
          <b>{incidents.length}</b> open incident{incidents.length === 1 ? '' : 's'}
        </span>
      </p>
      <section aria-labelledby="inc-h">
        <h2 id="inc-h">Open incidents</h2>
        <IncidentList incidents={incidents} />
      </section>
      <Locations />
      <div class="filters" role="search">
        <label>
          Filter <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} placeholder="system, member or target" />
        </label>
        <label class="check">
          <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems((e.target as HTMLInputElement).checked)} /> Only problems
        </label>
      </div>
      {layers.map(([layer, list]) => (
        <section key={layer} aria-labelledby={`layer-${layer}`} class="layer">
          <h2 id={`layer-${layer}`}>
            {LAYER_NAMES[layer] ?? layer} <span class="quiet">({list.length})</span>
          </h2>
          <div class="grid">
            {list.map((s) => (
              <SystemTile key={s.name} s={s} />
            ))}
          </div>
        </section>
      ))}
      <Targets targets={[...live.targets.values()]} filter={f} onlyProblems={onlyProblems} />
    </>
  );
}
