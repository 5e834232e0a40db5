import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signAck, verifyAck } from './ack-token';

const SECRET = 'ack-secret-0123456789abcdef';
const NOW = Date.UTC(2026, 2, 2, 3, 12, 7);
const WEEK = 7 * 86_400_000;

describe('signed, expiring acknowledgement links', () => {
  const token = signAck(SECRET, 42, NOW + WEEK);

  it('a fresh link acknowledges its own incident, and is URL-safe', () => {
    assert.deepEqual(verifyAck(SECRET, token, NOW), { ok: true, incidentId: 42 });
    assert.equal(encodeURIComponent(token), token);
  });

  it('is valid until its expiry and expired after', () => {
    assert.equal(verifyAck(SECRET, token, NOW + WEEK).ok, true);
    assert.deepEqual(verifyAck(SECRET, token, NOW + WEEK + 1000), { ok: false, reason: 'expired' });
  });

  it('another incident id in a copied signature is refused', () => {
    const [, exp, mac] = token.split('.');
    assert.deepEqual(verifyAck(SECRET, `43.${exp}.${mac}`, NOW), { ok: false, reason: 'bad signature' });
  });

  it('a later expiry with the old signature is refused (cannot extend a link)', () => {
    const [id, exp, mac] = token.split('.');
    assert.deepEqual(verifyAck(SECRET, `${id}.${Number(exp) + 86_400}.${mac}`, NOW), { ok: false, reason: 'bad signature' });
  });

  it('an expired and forged link is refused as forged (the signature is checked first)', () => {
    const [id, exp, mac] = signAck('another-secret-0123456789', 42, NOW - 1000).split('.');
    assert.deepEqual(verifyAck(SECRET, `${id}.${exp}.${mac}`, NOW), { ok: false, reason: 'bad signature' });
  });

  it('a link signed with another secret (or after the secret changed) is refused', () => {
    assert.deepEqual(verifyAck('another-secret-0123456789', token, NOW), { ok: false, reason: 'bad signature' });
  });

  it('a flipped signature character is refused', () => {
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    assert.deepEqual(verifyAck(SECRET, token.slice(0, -1) + last, NOW), { ok: false, reason: 'bad signature' });
  });

  it('garbage is malformed, not an error', () => {
    for (const t of ['', '42', '42.1', `42.${NOW}.short`, `${token}x`, `-1.${token.split('.')[1]}.${token.split('.')[2]}`, token.replace('.', '..'), '../../etc/passwd', `${'9'.repeat(16)}.1.${'A'.repeat(43)}`])
      assert.deepEqual(verifyAck(SECRET, t, NOW), { ok: false, reason: 'malformed' }, t);
  });
});
