import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring acknowledgement links: `<incident>.<expiry>.<hmac>` (base64url). Anyone with
 * the link can acknowledge that one incident until it expires; nothing else.
 */
export function signAck(secret: string, incidentId: number, expiresAt: number): string {
  const payload = `${incidentId}.${Math.floor(expiresAt / 1000)}`;
  const mac = createHmac('sha256', secret).update(`ack:${payload}`).digest('base64url');
  return `${payload}.${mac}`;
}

export type AckCheck = { ok: true; incidentId: number } | { ok: false; reason: 'malformed' | 'bad signature' | 'expired' };

export function verifyAck(secret: string, token: string, now: number): AckCheck {
  const m = /^(\d{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(`ack:${m[1]}.${m[2]}`).digest();
  const given = Buffer.from(m[3], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  if (Number(m[2]) * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, incidentId: Number(m[1]) };
}
