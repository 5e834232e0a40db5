import { ROLES, type Role } from './authorize';

/**
 * The pure rules of browser sign-in (OIDC): which role a user's claim grants, what name they go
 * by, and where the browser may be sent back to afterwards.
 */

/**
 * The role a role claim grants: every value (a string or a list of strings) is looked up in
 * `auth.oidc.roles` and the highest role wins; values that map to nothing are ignored. No role
 * at all means no session.
 */
export function roleForClaim(claim: unknown, roles: Readonly<Record<string, Role>>): { role?: Role; values: string[] } {
  const values = claimValues(claim);
  let best: Role | undefined;
  for (const v of values) {
    const r = Object.prototype.hasOwnProperty.call(roles, v) ? roles[v] : undefined;
    if (r && (best === undefined || ROLES.indexOf(r) > ROLES.indexOf(best))) best = r;
  }
  return { role: best, values };
}

/** A claim's values as strings: a string, or the strings of a list; anything else is no value. */
export function claimValues(claim: unknown): string[] {
  if (typeof claim === 'string') return claim ? [claim] : [];
  if (Array.isArray(claim)) return [...new Set(claim.filter((v): v is string => typeof v === 'string' && v !== ''))];
  return [];
}

/** The name a signed-in user has in the audit log: preferred_username, else email, else sub. */
export function displayName(claims: Readonly<Record<string, unknown>>): string {
  for (const k of ['preferred_username', 'email', 'sub']) {
    const v = claims[k];
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 200);
  }
  return 'unknown';
}

/**
 * Where to send the browser after sign-in: a path on this site only. Anything that could leave it
 * (`//evil`, `/\evil`, `https://…`, control characters) falls back to `/`, so the sign-in flow is
 * never an open redirect.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) return '/';
  try {
    const base = 'http://nines.invalid';
    const u = new URL(raw, base);
    if (u.origin !== base) return '/';
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return '/';
  }
}

/**
 * The URL browsers reach Nines at, without a trailing slash: `auth.oidc.external_url`, else
 * `alerting.external_url`, else what the request says (its scheme and Host). The redirect URI is
 * this plus /auth/callback, and a signed-in browser's writes must come from its origin.
 */
export function externalBase(configured: string | undefined, req: { protocol: string; host: string | undefined }): string {
  if (configured) return configured.replace(/\/+$/, '');
  return `${req.protocol === 'https' ? 'https' : 'http'}://${req.host ?? 'localhost'}`;
}
