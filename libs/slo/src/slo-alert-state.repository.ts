import type { DataSource } from 'typeorm';
import type { AlertStatus } from '../../alerting/src/alert';
import { toStatus, type AlertRow } from '../../alerting/src/alert.repository';

/** The current state of every SLO alert (scopes `slo:<name>`), read in one query per evaluation. */
export class SloAlertStateRepository {
  constructor(private readonly ds: DataSource) {}

  async byScope(): Promise<Map<string, AlertStatus[]>> {
    const rows: (AlertRow & { scope: string })[] = await this.ds.query(
      `select scope, fingerprint, labels, annotations, state, active_at, fired_at, resolved_at, incident_id, flapping, flips, version from alerts where scope like 'slo:%'`,
    );
    const out = new Map<string, AlertStatus[]>();
    for (const r of rows) {
      const list = out.get(r.scope) ?? [];
      list.push(toStatus(r));
      out.set(r.scope, list);
    }
    return out;
  }
}
