import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts (current state and full history), alert groups (Alertmanager's dispatcher state, in
 * PostgreSQL so any replica can flush them), silences, and the notification outbox + log.
 */
export class CreateAlerting1763800200000 implements MigrationInterface {
  name = 'CreateAlerting1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table alerts (
        fingerprint  text primary key,
        scope        text not null,
        alertname    text not null,
        labels       jsonb not null,
        annotations  jsonb not null,
        state        text not null check (state in ('inactive', 'pending', 'firing', 'resolved')),
        active_at    timestamptz,
        fired_at     timestamptz,
        resolved_at  timestamptz,
        incident_id  bigint,
        flapping     boolean not null default false,
        flips        jsonb not null default '[]',
        updated_at   timestamptz not null default now()
      )`);
    await q.query(`create index alerts_scope_idx on alerts (scope)`);
    await q.query(`create index alerts_state_idx on alerts (state)`);
    await q.query(`
      create table alert_history (
        id          bigserial primary key,
        fingerprint text not null,
        at          timestamptz not null,
        transition  text not null,
        alertname   text not null,
        labels      jsonb not null,
        summary     text not null,
        reason      text,
        incident_id bigint
      )`);
    await q.query(`create index alert_history_at_idx on alert_history (at)`);
    await q.query(`create index alert_history_fp_idx on alert_history (fingerprint, at)`);
    await q.query(`
      create table alert_groups (
        key               text primary key,
        route_id          text not null,
        receiver          text not null,
        group_labels      jsonb not null,
        next_flush_at     timestamptz,
        last_flush_at     timestamptz,
        last_hash         text,
        first_firing_at   timestamptz,
        escalated_at      timestamptz,
        updated_at        timestamptz not null default now()
      )`);
    await q.query(`create index alert_groups_due_idx on alert_groups (next_flush_at) where next_flush_at is not null`);
    await q.query(`
      create table alert_group_members (
        group_key   text not null references alert_groups(key) on delete cascade,
        fingerprint text not null,
        notified_state text,
        primary key (group_key, fingerprint)
      )`);
    await q.query(`
      create table silences (
        id         uuid primary key default gen_random_uuid(),
        matchers   jsonb not null,
        starts_at  timestamptz not null,
        ends_at    timestamptz not null,
        created_by text not null,
        comment    text not null,
        created_at timestamptz not null default now(),
        expired_at timestamptz
      )`);
    await q.query(`
      create table notifications (
        id              text primary key,
        group_key       text,
        receiver        text not null,
        channel         text not null check (channel in ('email', 'webhook')),
        kind            text not null default 'alerts',
        payload         jsonb not null,
        state           text not null check (state in ('pending', 'sending', 'sent', 'failed', 'dead')),
        attempts        integer not null default 0,
        last_error      text,
        created_at      timestamptz not null default now(),
        first_alert_at  timestamptz,
        enqueued_at     timestamptz,
        last_attempt_at timestamptz,
        sent_at         timestamptz
      )`);
    await q.query(`create index notifications_pending_idx on notifications (created_at) where state in ('pending', 'failed', 'sending')`);
    await q.query(`create index notifications_receiver_idx on notifications (receiver, created_at)`);
    await q.query(`
      create view nines_alert_history as
      select at, fingerprint, transition, alertname, labels->>'system' as system, labels->>'member' as member,
             labels->>'severity' as severity, summary, reason, incident_id
        from alert_history`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop view if exists nines_alert_history`);
    for (const t of ['notifications', 'silences', 'alert_group_members', 'alert_groups', 'alert_history', 'alerts']) await q.query(`drop table if exists ${t}`);
  }
}
