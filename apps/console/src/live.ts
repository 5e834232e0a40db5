import { useEffect, useState } from 'preact/hooks';
import { readStream } from './api';
import type { IncidentCard, Overview, SystemCard, TargetCard } from './types';

/** What the console knows now, kept current by the server's event stream. */
export interface LiveState {
  connected: boolean;
  problem?: string;
  at?: string;
  systems: Map<string, SystemCard>;
  /** Order of systems (layer, then name) as the server sent them. */
  order: string[];
  targets: Map<string, TargetCard>;
  incidents: Map<number, IncidentCard>;
  /** Per incident, how many changes the stream announced: pages showing it read it again. */
  touched: Map<number, number>;
  /** How many silence changes the stream announced. */
  silences: number;
  /** Bumped on every change, so components re-render. */
  version: number;
  /** What changed last, for the polite live region (screen readers). */
  announcement: string;
}

let state: LiveState = { connected: false, systems: new Map(), order: [], targets: new Map(), incidents: new Map(), touched: new Map(), silences: 0, version: 0, announcement: '' };
const listeners = new Set<() => void>();
let running: AbortController | undefined;

function set(next: Partial<LiveState>): void {
  state = { ...state, ...next, version: state.version + 1 };
  for (const l of listeners) l();
}

function describe(before: SystemCard | undefined, after: SystemCard): string | undefined {
  if (!before) return undefined;
  if (before.primary !== after.primary && after.primary) return `${after.name}: ${after.primary} is now primary`;
  if (before.health !== after.health) return `${after.name} is ${after.health}`;
  return undefined;
}

function apply(event: string, data: any): void {
  if (event === 'snapshot') {
    const o = data as Overview;
    set({
      connected: true,
      problem: undefined,
      at: o.at,
      systems: new Map(o.systems.map((s) => [s.name, s])),
      order: o.systems.map((s) => s.name),
      targets: new Map(o.targets.map((t) => [t.name, t])),
      incidents: new Map(o.incidents.map((i) => [i.id, i])),
    });
  } else if (event === 'systems') {
    const systems = new Map(state.systems);
    const said: string[] = [];
    for (const s of data.systems as SystemCard[]) {
      const d = describe(systems.get(s.name), s);
      if (d) said.push(d);
      systems.set(s.name, s);
    }
    const order = state.order.length === systems.size ? state.order : [...systems.keys()];
    set({ systems, order, announcement: said.join('. ') || state.announcement });
    // For the benchmark and the tests: when the newest change was recorded, and when it was shown.
    if (data.recorded_at) (window as any).__ninesLastChange = { recorded_at: data.recorded_at, received_at: Date.now() };
  } else if (event === 'incidents') {
    const incidents = new Map(state.incidents);
    const touched = new Map(state.touched);
    for (const i of data.incidents as IncidentCard[]) {
      if (i.state === 'open') incidents.set(i.id, i);
      else incidents.delete(i.id);
      touched.set(i.id, (touched.get(i.id) ?? 0) + 1);
    }
    set({ incidents, touched });
  } else if (event === 'targets') {
    const targets = new Map(state.targets);
    for (const t of data.targets as TargetCard[]) targets.set(t.name, t);
    set({ targets });
  } else if (event === 'silences') {
    set({ silences: state.silences + 1 });
  } else if (event === 'problem') {
    set({ problem: data.message });
  }
}

/** Keeps one stream open while any component listens; reconnects with backoff. */
function start(): void {
  if (running) return;
  const ctl = (running = new AbortController());
  void (async () => {
    let delay = 500;
    while (!ctl.signal.aborted) {
      try {
        await readStream('/api/v1/console/stream', ctl.signal, (e, d) => {
          delay = 500;
          apply(e, d);
        });
        // The server ends a stream now and then so that access is checked again: reconnect at once.
      } catch (err) {
        if (ctl.signal.aborted) return;
        set({ connected: false, problem: `live updates interrupted: ${(err as Error).message}; reconnecting` });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  })();
}

export function useLive(): LiveState {
  const [, setV] = useState(0);
  useEffect(() => {
    const l = () => setV((v) => v + 1);
    listeners.add(l);
    start();
    return () => {
      listeners.delete(l);
    };
  }, []);
  return state;
}
