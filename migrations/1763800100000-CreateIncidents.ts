import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Topology per system, the events detected from it, incidents with an append-only timeline,
 * drills, and the documented read-only views Grafana's PostgreSQL data source queries.
 */
export class CreateIncidents1763800100000 implements MigrationInterface {
  name = 'CreateIncidents1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table topology (
        system     text primary key,
        state      jsonb not null,
        healthy    boolean not null,
        version    bigint not null default 0,
        updated_at timestamptz not null default now()
      )`);
    await q.query(`
      create table drills (
        id         bigserial primary key,
        system     text not null,
        started_at timestamptz not null default now(),
        ended_at   timestamptz,
        started_by text,
        note       text
      )`);
    await q.query(`create unique index drills_one_active on drills (system) where ended_at is null`);
    await q.query(`
      create table incidents (
        id               bigserial primary key,
        state            text not null check (state in ('open', 'resolved')),
        severity         text not null,
        title            text not null,
        root_system      text not null,
        systems          text[] not null,
        opened_at        timestamptz not null,
        first_failure_at timestamptz,
        detected_at      timestamptz,
        acknowledged_at  timestamptz,
        acknowledged_by  text,
        resolved_at      timestamptz,
        drill            boolean not null default false,
        failovers        integer not null default 0,
        measurements     jsonb not null default '{}',
        updated_at       timestamptz not null default now()
      )`);
    await q.query(`create index incidents_state_idx on incidents (state)`);
    await q.query(`create index incidents_opened_idx on incidents (opened_at)`);
    await q.query(`create index incidents_systems_idx on incidents using gin (systems)`);
    await q.query(`
      create table events (
        id          bigserial primary key,
        at          timestamptz not null,
        system      text not null,
        member      text,
        kind        text not null,
        severity    text not null,
        bad         boolean not null,
        message     text not null,
        details     jsonb not null default '{}',
        incident_id bigint references incidents(id),
        drill       boolean not null default false,
        recorded_at timestamptz not null default now()
      )`);
    await q.query(`create index events_system_at_idx on events (system, at)`);
    await q.query(`create index events_incident_idx on events (incident_id)`);
    await q.query(`
      create table incident_timeline (
        id          bigserial primary key,
        incident_id bigint not null references incidents(id),
        at          timestamptz not null,
        kind        text not null,
        system      text,
        member      text,
        message     text not null,
        details     jsonb not null default '{}',
        recorded_at timestamptz not null default now()
      )`);
    await q.query(`create index incident_timeline_incident_idx on incident_timeline (incident_id, at)`);
    await q.query(`
      create function nines_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only', tg_table_name;
      end $$`);
    await q.query(`create trigger incident_timeline_append_only before update or delete on incident_timeline for each row execute function nines_append_only()`);

    // Documented views for Grafana (README: "Grafana and SQL").
    await q.query(`
      create view nines_incidents as
      select id, state, severity, title, root_system, systems, drill, failovers, opened_at, first_failure_at, detected_at,
             acknowledged_at, acknowledged_by, resolved_at,
             (measurements #>> '{time_to_detect,value_ms}')::float8 / 1000 as time_to_detect_seconds,
             (measurements #>> '{rto,value_ms}')::float8 / 1000 as rto_seconds,
             (measurements #>> '{failover_duration,value_ms}')::float8 / 1000 as failover_seconds,
             (measurements #>> '{rpo,lag_seconds}')::float8 as rpo_lag_seconds,
             (measurements #>> '{rpo,lag_bytes}')::float8 as rpo_lag_bytes,
             (measurements #>> '{rpo,lsn_diff_bytes}')::float8 as rpo_lsn_diff_bytes,
             (measurements #>> '{time_to_acknowledge,value_ms}')::float8 / 1000 as time_to_acknowledge_seconds,
             (measurements #>> '{time_to_resolve,value_ms}')::float8 / 1000 as time_to_resolve_seconds
        from incidents`);
    await q.query(`
      create view nines_incident_timeline as
      select t.incident_id, t.at, t.kind, t.system, t.member, t.message, t.details, i.title as incident_title, i.severity, i.drill
        from incident_timeline t join incidents i on i.id = t.incident_id`);
    await q.query(`
      create view nines_failovers as
      select e.at, e.system, e.member, e.kind, e.message, e.incident_id, e.drill
        from events e where e.kind in ('leader_changed', 'vip_moved')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop view if exists nines_failovers`);
    await q.query(`drop view if exists nines_incident_timeline`);
    await q.query(`drop view if exists nines_incidents`);
    await q.query(`drop table if exists incident_timeline`);
    await q.query(`drop function if exists nines_append_only()`);
    await q.query(`drop table if exists events`);
    await q.query(`drop table if exists incidents`);
    await q.query(`drop table if exists drills`);
    await q.query(`drop table if exists topology`);
  }
}
