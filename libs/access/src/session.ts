import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Browser sessions: a 32-byte random id in an HttpOnly cookie, stored only as its SHA-256 hash
 * (like API tokens: nothing to brute-force, and a database leak yields no usable cookie).
 */
export const SESSION_COOKIE = 'nines_session';
/** The pending sign-in (state, nonce, PKCE verifier live on the server; this names them). */
export const LOGIN_COOKIE = 'nines_login';
export const LOGIN_COOKIE_PATH = '/auth/callback';
export const LOGIN_TTL_MS = 10 * 60_000;

const ID_RE = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

/** Whether a cookie value has the shape of an id we issue (no database lookup for garbage). */
export function looksLikeSessionId(value: string | undefined): value is string {
  return value !== undefined && ID_RE.test(value);
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/** A cookie's value from a Cookie header (the first of that name), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    return v;
  }
  return undefined;
}

export interface CookieOptions {
  path: string;
  /** Seconds; 0 clears the cookie. */
  maxAge: number;
  secure: boolean;
}

/**
 * A Set-Cookie value. Always HttpOnly (no script reads it) and SameSite=Lax: sent on top-level
 * navigations (the IdP's redirect back, links from alert emails) but not on cross-site
 * sub-requests or form posts, which is the first defence against CSRF.
 */
export function setCookie(name: string, value: string, o: CookieOptions): string {
  return [`${name}=${value}`, `Path=${o.path}`, `Max-Age=${Math.max(0, Math.floor(o.maxAge))}`, 'HttpOnly', 'SameSite=Lax', ...(o.secure ? ['Secure'] : [])].join('; ');
}

/** Secure when the browser reached us over HTTPS, directly or as the external URL says. */
export function cookieSecure(reqSecure: boolean, externalUrl: string | undefined): boolean {
  return reqSecure || (externalUrl !== undefined && externalUrl.toLowerCase().startsWith('https:'));
}

export function newCsrfToken(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a cookie-authenticated request may not go on, or undefined when it may: a write must echo
 * the session's CSRF token in X-CSRF-Token (a cross-site page cannot read it) and, when the
 * browser says where the request comes from (Origin), come from Nines' own origin.
 */
export function csrfRefusal(r: { method: string; token: string | undefined; origin: string | undefined; expectedToken: string; expectedOrigin: string }): string | undefined {
  if (SAFE.has(r.method.toUpperCase())) return undefined;
  const origin = r.origin === undefined || r.origin === '' ? undefined : originOf(r.origin);
  if (origin !== undefined && (origin === 'null' || origin !== originOf(r.expectedOrigin))) return 'cross-origin request refused: Origin is not this Nines';
  if (!r.token) return 'a signed-in browser write needs the X-CSRF-Token header (from GET /auth/me)';
  if (!sameSecret(r.token, r.expectedToken)) return 'the X-CSRF-Token header does not match this session';
  return undefined;
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/** scheme://host[:port], lower-case, default ports dropped; 'null' for anything unparsable. */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? 'null' : u.origin.toLowerCase();
  } catch {
    return 'null';
  }
}
