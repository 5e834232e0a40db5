import { createHash } from 'node:crypto';

/**
 * Alerts as in Prometheus: inactive → pending (condition true, waiting `for`) → firing →
 * resolved, identified by their label set. Pure: callers pass the clock's time.
 */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

export type Labels = Record<string, string>;

export interface AlertSpec {
  labels: Labels;
  annotations: { summary: string; description?: string; reason?: string };
  /** How long the condition must hold before firing. */
  forMs: number;
  incidentId?: number;
}

export interface AlertStatus {
  fingerprint: string;
  labels: Labels;
  annotations: AlertSpec['annotations'];
  state: AlertState;
  activeAt?: number; // condition first true (pending or firing since)
  firedAt?: number;
  resolvedAt?: number;
  incidentId?: number;
  /** Firing/resolved flips inside the flap window, for flap detection. */
  flips: number[];
  flapping: boolean;
  /** The stored row's version this status was read at (compare-and-set); absent until first stored. */
  version?: number;
}

/** Stable identity of a label set: sorted name=value pairs, hashed. */
export function fingerprint(labels: Labels): string {
  const canon = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(canon).digest('hex').slice(0, 16);
}

export interface FlapPolicy {
  windowMs: number;
  /** Flips within the window at which an alert counts as flapping. */
  threshold: number;
}

export const DEFAULT_FLAP: FlapPolicy = { windowMs: 10 * 60_000, threshold: 4 };

export type Transition = 'pending' | 'firing' | 'resolved' | 'flapping' | 'stable';

/**
 * One evaluation of one alert: its condition is `active` now (with spec), or not. Returns the
 * new status and the transitions that happened (what gets recorded and maybe notified).
 */
export function evaluate(prev: AlertStatus | undefined, active: AlertSpec | undefined, now: number, flap: FlapPolicy = DEFAULT_FLAP, fp?: string): { next?: AlertStatus; transitions: Transition[] } {
  const transitions: Transition[] = [];
  if (!active) {
    if (prev?.state === 'resolved' && prev.flapping) return settle(prev, now, flap);
    if (!prev || prev.state === 'inactive' || prev.state === 'resolved') return { next: prev, transitions };
    if (prev.state === 'pending') return { next: { ...prev, state: 'inactive', activeAt: undefined }, transitions };
    const next: AlertStatus = { ...prev, state: 'resolved', resolvedAt: now, activeAt: undefined, flips: [...prev.flips, now].filter((t) => now - t <= flap.windowMs) };
    transitions.push('resolved');
    updateFlapping(next, transitions, flap);
    return { next, transitions };
  }
  const base: AlertStatus = prev ?? {
    fingerprint: fp ?? fingerprint(active.labels),
    labels: active.labels,
    annotations: active.annotations,
    state: 'inactive',
    flips: [],
    flapping: false,
  };
  const next: AlertStatus = { ...base, labels: active.labels, annotations: active.annotations, incidentId: active.incidentId ?? base.incidentId };
  if (next.state === 'inactive' || next.state === 'resolved') {
    next.state = 'pending';
    next.activeAt = now;
    next.resolvedAt = undefined;
    transitions.push('pending');
  }
  if (next.state === 'pending' && now - (next.activeAt ?? now) >= active.forMs) {
    next.state = 'firing';
    next.firedAt = now;
    next.flips = [...next.flips, now].filter((t) => now - t <= flap.windowMs);
    transitions.push('firing');
    updateFlapping(next, transitions, flap);
    return { next, transitions };
  }
  if (next.flapping) {
    const settled = settle(next, now, flap);
    return { next: settled.next, transitions: [...transitions, ...settled.transitions] };
  }
  return { next, transitions };
}

export interface AlertChange {
  status: AlertStatus;
  transitions: Transition[];
}

/**
 * One evaluation of a scope (a target's, a system's or an SLO's alerts): `alerts` holds what is
 * known of them and is updated in place; `specs` are the alerts whose condition holds now, every
 * other known alert's condition is false. Returns the alerts to store: every transition, and a
 * pending alert whose condition cleared (no transition to notify, but its row must say so).
 */
export function evaluateScope(alerts: Map<string, AlertStatus>, specs: AlertSpec[], now: number): AlertChange[] {
  const changes: AlertChange[] = [];
  const apply = (fp: string, prev: AlertStatus | undefined, r: { next?: AlertStatus; transitions: Transition[] }) => {
    if (!r.next) return;
    alerts.set(fp, r.next);
    if (r.transitions.length || (prev && r.next.state !== prev.state)) changes.push({ status: r.next, transitions: r.transitions });
  };
  const seen = new Set<string>();
  for (const spec of specs) {
    const fp = fingerprint(spec.labels);
    seen.add(fp);
    const prev = alerts.get(fp);
    apply(fp, prev, evaluate(prev, spec, now, undefined, fp));
  }
  for (const [fp, prev] of [...alerts]) {
    if (seen.has(fp)) continue;
    apply(fp, prev, evaluate(prev, undefined, now));
  }
  return changes;
}

/**
 * A flapping alert that stops flipping is stable once its last flip leaves the window — without
 * waiting for another flip, or its final state would only be announced at the next repeat.
 */
function settle(s: AlertStatus, now: number, flap: FlapPolicy): { next: AlertStatus; transitions: Transition[] } {
  const flips = s.flips.filter((t) => now - t <= flap.windowMs);
  if (flips.length >= flap.threshold) return { next: s, transitions: [] };
  const transitions: Transition[] = [];
  const next = { ...s, flips };
  updateFlapping(next, transitions, flap);
  return { next, transitions };
}

function updateFlapping(s: AlertStatus, transitions: Transition[], flap: FlapPolicy): void {
  const flapping = s.flips.length >= flap.threshold;
  if (flapping && !s.flapping) transitions.push('flapping');
  if (!flapping && s.flapping) transitions.push('stable');
  s.flapping = flapping;
}
