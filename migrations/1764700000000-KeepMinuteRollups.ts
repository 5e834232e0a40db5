import { MigrationInterface, QueryRunner } from 'typeorm';
import { LATENCY_BUCKETS_MS } from '../libs/slo/src/latency-buckets';

const LAT_COLUMNS = LATENCY_BUCKETS_MS.map((ms) => `lat_le_${ms}`);

/**
 * probe_rollup_minute stays the per-minute rollup that Grafana and SQL users read (now kept
 * two days by the SLO compaction); closed hours are copied into probe_rollup_day, not moved.
 * Which minutes are already copied is the watermark `compacted_before` in slo_rollup_state:
 * the compaction advances it under a row lock in the same transaction as the copy, and the
 * result writer reads it FOR SHARE in its one statement, adding the counts of minutes before it
 * (late results) to probe_rollup_late too. SLO reads take day rows, per-minute rows from the
 * watermark on, and late rows; the next compaction merges (and deletes) the late rows.
 */
export class KeepMinuteRollups1764700000000 implements MigrationInterface {
  name = 'KeepMinuteRollups1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table probe_rollup_late (
        target_id      integer not null,
        minute         timestamptz not null,
        total          integer not null,
        successes      integer not null,
        latency_sum_ms double precision not null,
        latency_max_ms real not null,
        ${LAT_COLUMNS.map((c) => `${c} smallint not null default 0`).join(',\n        ')},
        primary key (target_id, minute)
      )`);
    // The row always exists, so every writer locks the same row as the compaction.
    await q.query(`insert into slo_rollup_state (key, at) values ('compacted_before', '-infinity') on conflict (key) do nothing`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists probe_rollup_late`);
  }
}
