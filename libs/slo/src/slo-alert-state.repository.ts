import type { DataSource } from 'typeorm';
import type { AlertStatus } from '../../alerting/src/alert';

const ms = (d: Date | null) => (d ? d.getTime() : undefined);

/** The current state of every SLO alert (scopes `slo:<name>`), read in one query per evaluation. */
export class SloAlertStateRepository {
  constructor(private readonly ds: DataSource) {}

  async byScope(): Promise<Map<string, AlertStatus[]>> {
    const rows: {
      scope: string;
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
    }[] = await this.ds.query(
      `select scope, fingerprint, labels, annotations, state, active_at, fired_at, resolved_at, incident_id, flapping, flips from alerts where scope like 'slo:%'`,
    );
    const out = new Map<string, AlertStatus[]>();
    for (const r of rows) {
      const list = out.get(r.scope) ?? [];
      list.push({
        fingerprint: r.fingerprint,
        labels: r.labels,
        annotations: r.annotations,
        state: r.state,
        activeAt: ms(r.active_at),
        firedAt: ms(r.fired_at),
        resolvedAt: ms(r.resolved_at),
        incidentId: r.incident_id === null ? undefined : Number(r.incident_id),
        flapping: r.flapping,
        flips: r.flips,
      });
      out.set(r.scope, list);
    }
    return out;
  }
}
