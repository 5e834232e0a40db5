import { MigrationInterface, QueryRunner } from 'typeorm';

/** What Grafana's PostgreSQL data source may read: the documented views and the probe tables. */
export const GRAFANA_READABLE = [
  'nines_incidents',
  'nines_incident_timeline',
  'nines_failovers',
  'nines_alert_history',
  'systems',
  'targets',
  'target_state',
  'probe_results',
  'probe_rollup_minute',
];

/**
 * A read-only role for Grafana, `nines_grafana` (NOLOGIN: an operator gives it a password with
 * `ALTER ROLE nines_grafana LOGIN PASSWORD '…'`). Roles are cluster-wide and several Nines
 * databases may share a server (tests do), so the role is created only when missing and the
 * grants are made per database. A Nines user without CREATEROLE (or not owning the database)
 * still migrates: what it may not do is left to the operator (README, "Grafana").
 */
export class CreateGrafanaReadOnlyRole1764000000000 implements MigrationInterface {
  name = 'CreateGrafanaReadOnlyRole1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      do $$
      declare
        stmt text;
      begin
        if not exists (select 1 from pg_roles where rolname = 'nines_grafana') then
          begin
            create role nines_grafana nologin;
          exception
            -- Another database's migration created it a moment ago.
            when duplicate_object or unique_violation then null;
            when insufficient_privilege then
              raise notice 'nines: no CREATEROLE privilege, so no nines_grafana role (README, "Grafana", shows how to add it)';
          end;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'nines_grafana') then return; end if;
        foreach stmt in array array[
          format('grant connect on database %I to nines_grafana', current_database()),
          format('grant usage on schema %I to nines_grafana', current_schema()),
          'grant select on ${GRAFANA_READABLE.join(', ')} to nines_grafana'
        ] loop
          begin
            execute stmt;
          exception when insufficient_privilege then
            -- A Nines user that does not own the database still migrates; the operator grants.
            raise notice 'nines: could not %', stmt;
          end;
        end loop;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The role stays: other databases on this server may still grant to it.
    await q.query(`
      do $$
      begin
        if exists (select 1 from pg_roles where rolname = 'nines_grafana') then
          execute 'revoke select on ${GRAFANA_READABLE.join(', ')} from nines_grafana';
          execute format('revoke usage on schema %I from nines_grafana', current_schema());
          execute format('revoke connect on database %I from nines_grafana', current_database());
        end if;
      end $$`);
  }
}
