import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access control (issue 13): API tokens, stored only as SHA-256 hashes, and the audit log of every
 * state change. The audit log is append-only in the database itself: no API edits it, and a
 * trigger refuses UPDATE and DELETE from anything else too.
 */
export class CreateAccess1764900000000 implements MigrationInterface {
  name = 'CreateAccess1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table api_tokens (
        id bigserial primary key,
        name text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$'),
        role text not null check (role in ('viewer', 'responder', 'admin', 'ingest')),
        source text check (source in ('keepalived', 'alertmanager', 'generic', 'heartbeat')),
        hash text not null unique,
        created_at timestamptz not null default now(),
        created_by text not null,
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        revoked_by text,
        check ((role = 'ingest') = (source is not null))
      )`);
    // A name names one live token; a revoked token keeps its name for the record.
    await q.query(`create unique index api_tokens_live_name on api_tokens (name) where revoked_at is null`);
    await q.query(`
      create table audit_log (
        id bigserial primary key,
        at timestamptz not null default now(),
        actor text not null,
        role text not null,
        address text,
        action text not null,
        target text,
        before jsonb,
        after jsonb
      )`);
    await q.query(`create index audit_log_at on audit_log (at desc, id desc)`);
    await q.query(`create index audit_log_actor on audit_log (actor, at desc)`);
    await q.query(`create index audit_log_action on audit_log (action, at desc)`);
    await q.query(`
      create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only';
      end $$`);
    await q.query(`create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists audit_log`);
    await q.query(`drop function if exists audit_log_append_only()`);
    await q.query(`drop table if exists api_tokens`);
  }
}
