import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Probe storage: the target registry, current state per target, raw results partitioned by
 * day (short retention) and the per-minute rollup partitioned by month (long retention, what
 * SLOs read). Partitions are created ahead of time by nines_ensure_partitions().
 */
export class CreateProbeStorage1763800000000 implements MigrationInterface {
  name = 'CreateProbeStorage1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table systems (
        name        text primary key,
        layer       text not null,
        kind        text not null,
        description text,
        depends_on  text[] not null default '{}',
        expect      jsonb not null default '{}',
        labels      jsonb not null default '{}',
        updated_at  timestamptz not null default now(),
        removed_at  timestamptz
      )`);
    await q.query(`
      create table targets (
        id          serial primary key,
        key         text not null unique,
        name        text not null,
        system      text,
        member      text,
        layer       text,
        kind        text not null,
        is_endpoint boolean not null default false,
        interval_ms integer not null,
        timeout_ms  integer not null,
        labels      jsonb not null default '{}',
        created_at  timestamptz not null default now(),
        updated_at  timestamptz not null default now(),
        removed_at  timestamptz
      )`);
    await q.query(`create index targets_system_idx on targets (system) where system is not null`);
    await q.query(`
      create table target_state (
        target_id              integer primary key references targets(id) on delete cascade,
        status                 text not null,
        status_since           timestamptz,
        last_scheduled_at      timestamptz not null,
        last_success           boolean not null,
        last_duration_ms       real not null,
        last_reason            text,
        last_warning           text,
        role                   text,
        leader                 text,
        epoch                  text,
        lag_seconds            double precision,
        lag_bytes              double precision,
        http_status            smallint,
        cert_expiry            timestamptz,
        consecutive_failures   integer not null default 0,
        consecutive_successes  integer not null default 0,
        first_failure_at       timestamptz,
        observation            jsonb,
        updated_at             timestamptz not null default now()
      )`);
    await q.query(`
      create table probe_results (
        target_id    integer not null,
        scheduled_at timestamptz not null,
        started_at   timestamptz not null,
        duration_ms  real not null,
        success      boolean not null,
        reason       text,
        role         text,
        lag_seconds  real,
        lag_bytes    double precision,
        http_status  smallint,
        primary key (target_id, scheduled_at)
      ) partition by range (scheduled_at)`);
    await q.query(`create table probe_results_default partition of probe_results default`);
    await q.query(`
      create table probe_rollup_minute (
        target_id      integer not null,
        minute         timestamptz not null,
        total          integer not null,
        successes      integer not null,
        latency_sum_ms double precision not null,
        latency_max_ms real not null,
        primary key (target_id, minute)
      ) partition by range (minute)`);
    await q.query(`create table probe_rollup_minute_default partition of probe_rollup_minute default`);
    await q.query(`
      create or replace function nines_ensure_partitions(parent text, granularity text, from_ts timestamptz, to_ts timestamptz)
      returns integer language plpgsql as $$
      declare
        step interval := case granularity when 'day' then interval '1 day' else interval '1 month' end;
        fmt  text := case granularity when 'day' then 'YYYYMMDD' else 'YYYYMM' end;
        cur  timestamptz := date_trunc(granularity, from_ts at time zone 'UTC') at time zone 'UTC';
        made integer := 0;
        part text;
      begin
        while cur < to_ts loop
          part := parent || '_p' || to_char(cur at time zone 'UTC', fmt);
          if to_regclass(part) is null then
            execute format('create table %I partition of %I for values from (%L) to (%L)', part, parent, cur, cur + step);
            made := made + 1;
          end if;
          cur := cur + step;
        end loop;
        return made;
      end $$`);
    await q.query(`
      create or replace function nines_drop_partitions_before(parent text, cutoff timestamptz)
      returns integer language plpgsql as $$
      declare
        r record;
        dropped integer := 0;
        upper_bound timestamptz;
      begin
        for r in
          select c.relname, pg_get_expr(c.relpartbound, c.oid) as bound
            from pg_inherits i join pg_class c on c.oid = i.inhrelid
           where i.inhparent = parent::regclass
        loop
          if r.bound = 'DEFAULT' then continue; end if;
          upper_bound := (regexp_match(r.bound, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz;
          if upper_bound <= cutoff then
            execute format('drop table %I', r.relname);
            dropped := dropped + 1;
          end if;
        end loop;
        return dropped;
      end $$`);
    await q.query(`select nines_ensure_partitions('probe_results', 'day', now() - interval '1 day', now() + interval '3 days')`);
    await q.query(`select nines_ensure_partitions('probe_rollup_minute', 'month', now() - interval '1 day', now() + interval '32 days')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop function if exists nines_drop_partitions_before(text, timestamptz)`);
    await q.query(`drop function if exists nines_ensure_partitions(text, text, timestamptz, timestamptz)`);
    await q.query(`drop table if exists probe_rollup_minute`);
    await q.query(`drop table if exists probe_results`);
    await q.query(`drop table if exists target_state`);
    await q.query(`drop table if exists targets`);
    await q.query(`drop table if exists systems`);
  }
}
