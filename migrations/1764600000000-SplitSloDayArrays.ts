import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * probe_rollup_day keeps what availability SLOs read at a window's edges — per-minute and
 * per-hour total and good — inline in the row (compressed, storage MAIN), and the per-boundary
 * latency counts out of line: reading a window edge is then one heap fetch, not two TOAST
 * lookups. Whole-day sums read a covering index (day totals only), so the wider rows cost
 * them nothing.
 */
export class SplitSloDayArrays1764600000000 implements MigrationInterface {
  name = 'SplitSloDayArrays1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table probe_rollup_day add column h_avail integer[], add column m_avail smallint[], add column h_lat integer[], add column m_lat smallint[]`);
    await q.query(`update probe_rollup_day set h_avail = h[1:24][1:2], m_avail = m[1:1440][1:2], h_lat = h[1:24][3:13], m_lat = m[1:1440][3:13]`);
    await q.query(`drop function if exists nines_rollup_minutes(integer, timestamptz, timestamptz)`);
    await q.query(`drop function if exists nines_rollup_apply(smallint[], integer[], integer, integer, integer[], integer[], integer[], boolean)`);
    await q.query(`
      alter table probe_rollup_day drop column h, drop column m,
        alter column h_avail set not null, alter column m_avail set not null, alter column h_lat set not null, alter column m_lat set not null,
        alter column h_avail set storage main, alter column m_avail set storage main`);
    const [{ lz4 }] = await q.query(`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`);
    if (lz4) await q.query(`alter table probe_rollup_day ${['h_avail', 'm_avail', 'h_lat', 'm_lat'].map((c) => `alter column ${c} set compression lz4`).join(', ')}`);
    await q.query(`create index probe_rollup_day_totals on probe_rollup_day (series_id, day) include (total, good, lat)`);
    // Point-by-point merge (late results), as before, over the split arrays: counts 1-2 are
    // total and good, 3-13 the latency boundaries.
    await q.query(`
      create or replace function nines_rollup_apply(
        m_avail smallint[], m_lat smallint[], h_avail integer[], h_lat integer[], total integer, good integer, lat integer[],
        idx integer[], vals integer[], additive boolean,
        out ma smallint[], out ml smallint[], out ha integer[], out hl integer[], out total_out integer, out good_out integer, out lat_out integer[])
      language plpgsql immutable as $$
      declare
        i integer; c integer; pos integer; hr integer; old integer; nv integer; d integer;
      begin
        ma := m_avail; ml := m_lat; ha := h_avail; hl := h_lat; total_out := total; good_out := good; lat_out := lat;
        for i in 1 .. coalesce(array_length(idx, 1), 0) loop
          pos := idx[i] + 1;
          hr := idx[i] / 60 + 1;
          for c in 1 .. 13 loop
            old := case when c <= 2 then ma[pos][c] else ml[pos][c - 2] end;
            nv := case when additive then old + vals[i][c] else greatest(old, vals[i][c]) end;
            d := nv - old;
            if d <> 0 then
              if c <= 2 then
                ma[pos][c] := nv;
                ha[hr][c] := ha[hr][c] + d;
              else
                ml[pos][c - 2] := nv;
                hl[hr][c - 2] := hl[hr][c - 2] + d;
                lat_out[c - 2] := lat_out[c - 2] + d;
              end if;
              if c = 1 then total_out := total_out + d; elsif c = 2 then good_out := good_out + d; end if;
            end if;
          end loop;
        end loop;
      end $$`);
    await q.query(`
      create or replace function nines_rollup_minutes(target integer, from_ts timestamptz, to_ts timestamptz)
      returns table (minute timestamptz, total integer, successes integer)
      language sql stable as $$
        select (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute', d.m_avail[i][1]::int, d.m_avail[i][2]::int
          from probe_rollup_day d, generate_series(1, 1440) i
         where d.series_id = target and d.day >= (from_ts at time zone 'UTC')::date and d.day <= (to_ts at time zone 'UTC')::date
           and d.m_avail[i][1] > 0
           and (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute' >= from_ts
           and (d.day::timestamp at time zone 'UTC') + (i - 1) * interval '1 minute' < to_ts
        union all
        select r.minute, r.total, r.successes from probe_rollup_minute r where r.target_id = target and r.minute >= from_ts and r.minute < to_ts
      $$`);
    await q.query(`
      do $$ begin
        if exists (select 1 from pg_roles where rolname = 'nines_grafana') then
          begin
            grant execute on function nines_rollup_minutes(integer, timestamptz, timestamptz) to nines_grafana;
          exception when insufficient_privilege then null;
          end;
        end if;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one array of 13 counts per minute and per hour.
    await q.query(`drop index if exists probe_rollup_day_totals`);
    await q.query(`alter table probe_rollup_day add column h integer[], add column m smallint[]`);
    await q.query(`
      update probe_rollup_day set
        h = (select array_agg(h_avail[i:i][1:2] || h_lat[i:i][1:11] order by i) from generate_series(1, 24) i),
        m = (select array_agg(m_avail[i:i][1:2] || m_lat[i:i][1:11] order by i) from generate_series(1, 1440) i)`);
    await q.query(`alter table probe_rollup_day drop column h_avail, drop column m_avail, drop column h_lat, drop column m_lat, alter column h set not null, alter column m set not null`);
  }
}
