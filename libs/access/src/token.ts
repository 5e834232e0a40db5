import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens: 32 random bytes, shown once, stored only as a SHA-256 hash. A fast hash is enough
 * for 256 bits of entropy (nothing to brute-force); the prefix lets secret scanners and log
 * scrubbers recognise a leaked token.
 */
export const TOKEN_PREFIX = 'nines_';
const TOKEN_RE = /^nines_[A-Za-z0-9_-]{43}$/;

export function newToken(random: (n: number) => Buffer = randomBytes): string {
  return `${TOKEN_PREFIX}${random(32).toString('base64url')}`;
}

/** Whether a bearer value has the shape of a Nines token (no database lookup for garbage). */
export function looksLikeToken(value: string): boolean {
  return TOKEN_RE.test(value);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests (a stored hash and a presented token's). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The token from an `Authorization` header: `Bearer <token>`, scheme case-insensitive. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
