import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { slackAckOf, slackSignature, verifySlackRequest } from './slack-interaction';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = 1_770_000_000_000;
const ts = String(NOW / 1000);
const form = (payload: unknown) => Buffer.from(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
const click = form({ type: 'block_actions', user: { id: 'U0123', username: 'alice' }, actions: [{ action_id: 'nines_ack', value: 'incident:42', type: 'button' }] });

describe("Slack request signatures (v0, HMAC-SHA256 over v0:timestamp:body)", () => {
  it('a request signed with the signing secret within five minutes is accepted', () => {
    assert.deepEqual(verifySlackRequest([SECRET], ts, slackSignature(SECRET, ts, click), click, NOW), { ok: true });
    assert.deepEqual(verifySlackRequest(['other-secret', SECRET], ts, slackSignature(SECRET, ts, click), click, NOW + 299_000), { ok: true }, 'any configured secret');
  });

  it('the signature is the documented one: v0= and hex HMAC-SHA256 of "v0:{timestamp}:{body}"', () => {
    const { createHmac } = require('node:crypto') as typeof import('node:crypto');
    assert.equal(slackSignature(SECRET, ts, 'a=b'), `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:a=b`).digest('hex')}`);
  });

  it('signed with another secret: refused', () => {
    const r = verifySlackRequest([SECRET], ts, slackSignature('not-the-secret', ts, click), click, NOW);
    assert.deepEqual(r, { ok: false, reason: 'X-Slack-Signature does not match' });
  });

  it('a timestamp more than five minutes away, either way, is refused even with a valid signature (replay)', () => {
    const old = String(NOW / 1000 - 301);
    assert.equal(verifySlackRequest([SECRET], old, slackSignature(SECRET, old, click), click, NOW).ok, false);
    const future = String(NOW / 1000 + 301);
    assert.equal(verifySlackRequest([SECRET], future, slackSignature(SECRET, future, click), click, NOW).ok, false);
  });

  it('a captured request replayed with a modified body (another incident) does not verify', () => {
    const sig = slackSignature(SECRET, ts, click);
    const tampered = Buffer.from(click.toString().replace('incident%3A42', 'incident%3A43'));
    assert.notDeepEqual(tampered, click);
    assert.equal(verifySlackRequest([SECRET], ts, sig, tampered, NOW).ok, false);
    // Nor does the same body under a shifted timestamp: the timestamp is signed too.
    const later = String(NOW / 1000 + 1);
    assert.equal(verifySlackRequest([SECRET], later, sig, click, NOW).ok, false);
  });

  it('missing or malformed headers, and no signing secret configured, are refused', () => {
    assert.equal(verifySlackRequest([SECRET], undefined, slackSignature(SECRET, ts, click), click, NOW).ok, false);
    assert.equal(verifySlackRequest([SECRET], ts, undefined, click, NOW).ok, false);
    assert.equal(verifySlackRequest([SECRET], ts, 'v1=abc', click, NOW).ok, false);
    assert.equal(verifySlackRequest([SECRET], 'soon', slackSignature(SECRET, 'soon', click), click, NOW).ok, false);
    assert.equal(verifySlackRequest([], ts, slackSignature(SECRET, ts, click), click, NOW).ok, false);
  });

  it('the click names the incident and who pressed; other interactions ask for nothing', () => {
    assert.deepEqual(slackAckOf(click), { incidentId: 42, user: 'slack:alice' });
    assert.equal(slackAckOf(form({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'nines_open_incident' }] })), undefined);
    assert.equal(slackAckOf(form({ type: 'view_submission', user: { id: 'U1' } })), undefined);
    assert.equal(slackAckOf(form({ type: 'block_actions', actions: [{ action_id: 'nines_ack', value: 'incident:abc' }] })), undefined);
    assert.equal(slackAckOf(Buffer.from('payload=%7Bnot json')), undefined);
    assert.equal(slackAckOf(Buffer.from('')), undefined);
  });
});
