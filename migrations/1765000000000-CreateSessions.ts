import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser sign-in (issue 13): sessions and the sign-ins under way, in the database so that every
 * replica knows them. Both are keyed by the SHA-256 of the cookie value, never the value itself.
 */
export class CreateSessions1765000000000 implements MigrationInterface {
  name = 'CreateSessions1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table sessions (
        id bigserial primary key,
        hash text not null unique,
        name text not null,
        role text not null check (role in ('viewer', 'responder', 'admin')),
        claims text[] not null default '{}',
        csrf text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        last_seen_at timestamptz not null default now()
      )`);
    await q.query(`create index sessions_expires_at on sessions (expires_at)`);
    // state, nonce and the PKCE verifier of a sign-in between /auth/login and /auth/callback.
    await q.query(`
      create table session_logins (
        hash text primary key,
        state text not null,
        nonce text not null,
        verifier text not null,
        return_to text not null,
        expires_at timestamptz not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table if exists session_logins`);
    await q.query(`drop table if exists sessions`);
  }
}
