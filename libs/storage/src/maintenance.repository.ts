import type { DataSource } from 'typeorm';

export const MAINTENANCE_LOCK_ID = 7_297_297_002;

/** Partition creation ahead of time and retention; run by one replica at a time. */
export class MaintenanceRepository {
  constructor(private readonly ds: DataSource) {}

  /** Returns undefined when another replica holds the maintenance lock. */
  async run(opts: { now: number; rawRetentionMs: number; rollupRetentionMs: number }): Promise<{ created: number; dropped: number } | undefined> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      const [{ locked }] = await qr.query('select pg_try_advisory_lock($1) as locked', [MAINTENANCE_LOCK_ID]);
      if (!locked) return undefined;
      try {
        const now = new Date(opts.now);
        const day = 86_400_000;
        let created = 0;
        let dropped = 0;
        created += (await qr.query(`select nines_ensure_partitions('probe_results', 'day', $1, $2) as n`, [new Date(opts.now - day), new Date(opts.now + 3 * day)]))[0].n;
        created += (await qr.query(`select nines_ensure_partitions('probe_rollup_minute', 'month', $1, $2) as n`, [now, new Date(opts.now + 40 * day)]))[0].n;
        const rawCutoff = new Date(opts.now - opts.rawRetentionMs);
        const rollupCutoff = new Date(opts.now - opts.rollupRetentionMs);
        dropped += (await qr.query(`select nines_drop_partitions_before('probe_results', $1) as n`, [rawCutoff]))[0].n;
        dropped += (await qr.query(`select nines_drop_partitions_before('probe_rollup_minute', $1) as n`, [rollupCutoff]))[0].n;
        // Stragglers that landed in the default partitions age out too.
        await qr.query(`delete from probe_results_default where scheduled_at < $1`, [rawCutoff]);
        await qr.query(`delete from probe_rollup_minute_default where minute < $1`, [rollupCutoff]);
        return { created, dropped };
      } finally {
        await qr.query('select pg_advisory_unlock($1)', [MAINTENANCE_LOCK_ID]);
      }
    } finally {
      await qr.release();
    }
  }
}
