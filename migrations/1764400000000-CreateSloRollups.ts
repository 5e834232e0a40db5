import { MigrationInterface, QueryRunner } from 'typeorm';
import { LATENCY_BUCKETS_MS } from '../libs/slo/src/latency-buckets';

const LAT_COLUMNS = LATENCY_BUCKETS_MS.map((ms) => `lat_le_${ms}`);

/**
 * SLO storage.
 *
 * probe_rollup_minute gains, per latency boundary, the count of successful probes no slower
 * than it (written by the same exactly-once statement as the rest of the rollup), so latency
 * SLIs are exact counts. Minutes already rolled up only know their slowest probe: their
 * successes count as within a boundary when that slowest probe was.
 *
 * probe_rollup_minute becomes the hot table: closed hours move (exactly once: DELETE …
 * RETURNING, in the same transaction as the merge) into probe_rollup_day, one row per series and
 * UTC day with the day's totals (what whole days of an SLO window add up) and the per-hour
 * (h[24][13]) and per-minute (m[1440][13]) counts that a window's edges need; 13 counts each:
 * total, good, then one per latency boundary. Arrays of repetitive counts compress well and live out of line, so the
 * rows the totals are summed from stay small. A series is a target (its id), or a system
 * without an endpoint taken as a whole (−slo_system_series.id: a minute is good when any
 * member answered in it).
 */
export class CreateSloRollups1764400000000 implements MigrationInterface {
  name = 'CreateSloRollups1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table probe_rollup_minute ${LAT_COLUMNS.map((c) => `add column ${c} smallint not null default 0`).join(', ')}`);
    await q.query(
      `update probe_rollup_minute set ${LATENCY_BUCKETS_MS.map((ms, i) => `${LAT_COLUMNS[i]} = case when latency_max_ms <= ${ms} then successes else 0 end`).join(', ')}`,
    );
    await q.query(`create table slo_system_series (id serial primary key, system text not null unique)`);
    await q.query(`
      create table probe_rollup_day (
        series_id      integer not null,
        day            date not null,
        total          integer not null,
        good           integer not null,
        lat            integer[] not null,
        latency_sum_ms double precision,
        latency_max_ms real,
        h              integer[] not null,
        m              smallint[] not null,
        updated_at     timestamptz not null default now(),
        primary key (series_id, day)
      ) with (toast_tuple_target = 128)`);
    await q.query(`alter table probe_rollup_day alter column lat set storage plain`);
    const [{ lz4 }] = await q.query(`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`);
    if (lz4) await q.query(`alter table probe_rollup_day alter column h set compression lz4, alter column m set compression lz4`);
    await q.query(`create table slo_rollup_state (key text primary key, at timestamptz not null)`);
    await q.query(`
      create table slo_definitions (
        name       text primary key,
        spec       jsonb not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    // Merges moved minutes into a day row point by point: added for targets, "any member"
    // (greatest) for system series, hour and day totals moved by the same differences. The
    // compaction's fast path assigns whole slices instead; this is for late results merged into
    // minutes that already have counts.
    await q.query(`
      create or replace function nines_rollup_apply(
        m smallint[], h integer[], total integer, good integer, lat integer[], idx integer[], vals integer[], additive boolean,
        out m_out smallint[], out h_out integer[], out total_out integer, out good_out integer, out lat_out integer[])
      language plpgsql immutable as $$
      declare
        i integer; c integer; pos integer; hr integer; old integer; nv integer; d integer;
      begin
        m_out := m; h_out := h; total_out := total; good_out := good; lat_out := lat;
        for i in 1 .. coalesce(array_length(idx, 1), 0) loop
          pos := idx[i] + 1;
          hr := idx[i] / 60 + 1;
          for c in 1 .. 13 loop
            old := m_out[pos][c];
            nv := case when additive then old + vals[i][c] else greatest(old, vals[i][c]) end;
            d := nv - old;
            if d <> 0 then
              m_out[pos][c] := nv;
              h_out[hr][c] := h_out[hr][c] + d;
              if c = 1 then total_out := total_out + d;
              elsif c = 2 then good_out := good_out + d;
              else lat_out[c - 2] := lat_out[c - 2] + d;
              end if;
            end if;
          end loop;
        end loop;
      end $$`);
    // Per-day counts per target, from both stores: what Grafana charts read.
    await q.query(`
      create view nines_rollup_daily as
      select target_id, day, sum(total)::bigint as total, sum(successes)::bigint as successes, sum(latency_sum_ms) as latency_sum_ms, max(latency_max_ms) as latency_max_ms
        from (select series_id as target_id, day, total, good as successes, latency_sum_ms, latency_max_ms from probe_rollup_day where series_id > 0
              union all
              select target_id, (minute at time zone 'UTC')::date, total, successes, latency_sum_ms, latency_max_ms from probe_rollup_minute) x
       group by 1, 2`);
    // Per-minute counts of one target over a time range, from both stores (rows may repeat a
    // minute when a late result arrived after its hour moved: sum them).
    await q.query(`
      create or replace function nines_rollup_minutes(target integer, from_ts timestamptz, to_ts timestamptz)
      returns table (minute timestamptz, total integer, successes integer)
      language sql stable as $$
        select (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute', d.m[i][1]::int, d.m[i][2]::int
          from probe_rollup_day d, generate_series(1, 1440) i
         where d.series_id = target and d.day >= (from_ts at time zone 'UTC')::date and d.day <= (to_ts at time zone 'UTC')::date
           and d.m[i][1] > 0
           and (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute' >= from_ts
           and (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute' < to_ts
        union all
        select r.minute, r.total, r.successes from probe_rollup_minute r where r.target_id = target and r.minute >= from_ts and r.minute < to_ts
      $$`);
    await q.query(`
      do $$ begin
        if exists (select 1 from pg_roles where rolname = 'nines_grafana') then
          begin
            grant select on nines_rollup_daily, probe_rollup_day, slo_system_series to nines_grafana;
            grant execute on function nines_rollup_minutes(integer, timestamptz, timestamptz) to nines_grafana;
          exception when insufficient_privilege then
            raise notice 'nines: could not grant the SLO rollups to nines_grafana';
          end;
        end if;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function if exists nines_rollup_minutes(integer, timestamptz, timestamptz)`);
    await q.query(`drop view if exists nines_rollup_daily`);
    await q.query(`drop function if exists nines_rollup_apply(smallint[], integer[], integer, integer, integer[], integer[], integer[], boolean)`);
    for (const t of ['slo_definitions', 'slo_rollup_state', 'probe_rollup_day', 'slo_system_series']) await q.query(`drop table if exists ${t}`);
    await q.query(`alter table probe_rollup_minute ${LAT_COLUMNS.map((c) => `drop column if exists ${c}`).join(', ')}`);
  }
}
