import { toMs } from '../../common/src/time';
import type { AlertStatus } from './alert';

/** An `alerts` row as the queries select it (the columns every reader shares). */
export interface AlertRowBase {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: AlertStatus['annotations'];
  state: AlertStatus['state'];
  active_at: Date | null;
  fired_at: Date | null;
  resolved_at: Date | null;
  incident_id: string | null;
  flapping: boolean;
  flips: number[];
}

/** The row's fields in the core's shape: epoch ms, a numeric incident id. */
export function alertFields(r: AlertRowBase): Omit<AlertStatus, 'version'> {
  return {
    fingerprint: r.fingerprint,
    labels: r.labels,
    annotations: r.annotations,
    state: r.state,
    activeAt: toMs(r.active_at),
    firedAt: toMs(r.fired_at),
    resolvedAt: toMs(r.resolved_at),
    incidentId: r.incident_id === null ? undefined : Number(r.incident_id),
    flapping: r.flapping,
    flips: r.flips,
  };
}
