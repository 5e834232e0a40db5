import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorize, isLoopbackHost, refuseToStart, type AccessPolicy, type Presented } from './authorize';

const locked: AccessPolicy = { anonymous: 'none', tokensExist: true, loopback: false };
const as = (name: string, role: 'viewer' | 'responder' | 'admin'): Presented => ({ kind: 'valid', principal: { name, role } });
const ingest = (name: string, source: 'keepalived' | 'alertmanager' | 'generic' | 'heartbeat'): Presented => ({ kind: 'valid', principal: { name, ingest: source } });

describe('authorize: every route declares a role', () => {
  it('an anonymous silence is 401 once tokens exist; a viewer is 403; a responder may', () => {
    const need = { role: 'responder' as const };
    const anon = authorize(need, { kind: 'none' }, locked);
    assert.deepEqual([anon.allow, !anon.allow && anon.status], [false, 401]);
    const viewer = authorize(need, as('bob', 'viewer'), locked);
    assert.equal(!viewer.allow && viewer.status, 403);
    assert.match(!viewer.allow ? viewer.message : '', /needs the responder role; bob is viewer/);
    assert.equal(authorize(need, as('alice', 'responder'), locked).allow, true);
    assert.equal(authorize(need, as('root', 'admin'), locked).allow, true);
  });

  it('unknown, expired and revoked tokens are 401, each saying which', () => {
    const msg = (p: Presented) => {
      const d = authorize({ role: 'viewer' }, p, locked);
      assert.equal(!d.allow && d.status, 401);
      return !d.allow ? d.message : '';
    };
    assert.match(msg({ kind: 'unknown' }), /not valid/);
    assert.match(msg({ kind: 'expired', name: 'ci' }), /ci has expired/);
    assert.match(msg({ kind: 'revoked', name: 'old' }), /old was revoked/);
  });

  it('an ingest token pushes its own source and nothing else; admin may push any', () => {
    assert.equal(authorize({ ingest: 'keepalived' }, ingest('lb', 'keepalived'), locked).allow, true);
    const other = authorize({ ingest: 'alertmanager' }, ingest('lb', 'keepalived'), locked);
    assert.equal(!other.allow && other.status, 403);
    const read = authorize({ role: 'viewer' }, ingest('lb', 'keepalived'), locked);
    assert.equal(!read.allow && read.status, 403);
    assert.equal(authorize({ ingest: 'generic' }, as('root', 'admin'), locked).allow, true);
    assert.equal(!authorize({ ingest: 'generic' }, as('alice', 'responder'), locked).allow, true);
  });

  it('open routes (/metrics, /healthz, signed ack links) need nothing, even with a bad token', () => {
    assert.deepEqual(authorize({ open: true }, { kind: 'unknown' }, locked), { allow: true, as: 'open' });
  });

  it('anonymous read is a config choice: viewer routes only, never writes', () => {
    const p = { ...locked, anonymous: 'viewer' as const };
    assert.equal(authorize({ role: 'viewer' }, { kind: 'none' }, p).allow, true);
    assert.equal(authorize({ role: 'responder' }, { kind: 'none' }, p).allow, false);
  });

  it('with no token in the database and loopback only, the API stays open (local development); beyond loopback it does not', () => {
    assert.equal(authorize({ role: 'admin' }, { kind: 'none' }, { anonymous: 'none', tokensExist: false, loopback: true }).allow, true);
    assert.equal(authorize({ role: 'admin' }, { kind: 'none' }, { anonymous: 'none', tokensExist: false, loopback: false }).allow, false);
  });
});

describe('start-up and addresses', () => {
  it('refuses a non-loopback listener with no token, in one line saying how to make the first', () => {
    assert.match(refuseToStart({ loopback: false, tokensExist: false }) ?? '', /^refusing to listen beyond loopback with no API token: create the first admin token with `nines token create --name admin --role admin`/);
    assert.equal(refuseToStart({ loopback: true, tokensExist: false }), undefined);
    assert.equal(refuseToStart({ loopback: false, tokensExist: true }), undefined);
  });

  it('knows loopback when it sees it', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['0.0.0.0', '::', '192.0.2.2', '10.0.0.1', 'nines.example.com', '127.0.0.1.example.com']) assert.equal(isLoopbackHost(h), false, h);
  });
});
