/**
 * Who may call what: the pure decision behind every route (issue 13). Roles are ordered viewer <
 * responder < admin; an ingest token is scoped to one source and can do nothing else.
 */
export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const INGEST_SOURCES = ['keepalived', 'alertmanager', 'generic', 'heartbeat'] as const;
export type IngestSource = (typeof INGEST_SOURCES)[number];

/** Endpoints open by default and closable by `auth.public` (closed, they need viewer). */
export type PublicEndpoint = 'metrics' | 'healthz' | 'readyz' | 'docs';

/**
 * What a route declares it needs: nothing (signed ack links, the sign-in flow), a role, an ingest
 * scope, or `public` (open while `auth.public` lists it, else viewer).
 */
export type Requirement = { open: true } | { public: PublicEndpoint } | { role: Role } | { ingest: IngestSource };

/** A caller, once its token was found: a role, or an ingest scope. */
export type Principal = { name: string; role: Role } | { name: string; ingest: IngestSource };

/** What the token lookup found for the request's Authorization header (or the session lookup for its cookie). */
export type Presented =
  | { kind: 'none' }
  | { kind: 'unknown'; via?: 'session' } // malformed, not found (a session: ended or expired)
  | { kind: 'expired'; name: string }
  | { kind: 'revoked'; name: string }
  | { kind: 'valid'; principal: Principal };

export interface AccessPolicy {
  /** auth.anonymous: what a request without a token may do once tokens exist. */
  anonymous: 'none' | 'viewer';
  /** Whether any token exists: with none, a loopback deployment is open (local development). */
  tokensExist: boolean;
  /** Whether Nines listens on loopback only. */
  loopback: boolean;
}

export type Decision =
  | { allow: true; as: Principal | 'anonymous' | 'open' }
  | { allow: false; status: 401 | 403; code: 'unauthorized' | 'forbidden'; message: string };

const rank = (r: Role) => ROLES.indexOf(r);

const unauthorized = (message: string): Decision => ({ allow: false, status: 401, code: 'unauthorized', message });

export function authorize(need: Requirement, presented: Presented, policy: AccessPolicy & { public?: readonly PublicEndpoint[] }): Decision {
  if ('open' in need) return { allow: true, as: 'open' };
  if ('public' in need) {
    if ((policy.public ?? []).includes(need.public)) return { allow: true, as: 'open' };
    return authorize({ role: 'viewer' }, presented, policy);
  }
  switch (presented.kind) {
    case 'unknown':
      return unauthorized(presented.via === 'session' ? 'the session has ended or expired: sign in again at /auth/login' : 'the bearer token is not valid');
    case 'expired':
      return unauthorized(`the token ${presented.name} has expired`);
    case 'revoked':
      return unauthorized(`the token ${presented.name} was revoked`);
    case 'none': {
      // No token anywhere and only loopback listening: the API is as open as it always was.
      if (!policy.tokensExist && policy.loopback) return { allow: true, as: 'anonymous' };
      if ('role' in need && need.role === 'viewer' && policy.anonymous === 'viewer') return { allow: true, as: 'anonymous' };
      return unauthorized('this endpoint needs a token: Authorization: Bearer <token> (create one with `nines token create`)');
    }
    case 'valid': {
      const p = presented.principal;
      if ('ingest' in need) {
        if ('ingest' in p && p.ingest === need.ingest) return { allow: true, as: p };
        if ('role' in p && p.role === 'admin') return { allow: true, as: p };
        return { allow: false, status: 403, code: 'forbidden', message: `this endpoint needs an ingest token for ${need.ingest}` };
      }
      if ('ingest' in p) return { allow: false, status: 403, code: 'forbidden', message: `an ingest token (${p.ingest}) can only push events` };
      if (rank(p.role) >= rank(need.role)) return { allow: true, as: p };
      return { allow: false, status: 403, code: 'forbidden', message: `this endpoint needs the ${need.role} role; ${p.name} is ${p.role}` };
    }
  }
}

/**
 * Start-up rule: listening beyond loopback with no token at all would put the pager in anyone's
 * hands. Returns the one line to print, or undefined when start-up may go on.
 */
export function refuseToStart(policy: Pick<AccessPolicy, 'tokensExist' | 'loopback'>): string | undefined {
  if (policy.loopback || policy.tokensExist) return undefined;
  return 'refusing to listen beyond loopback with no API token: create the first admin token with `nines token create --name admin --role admin`, or set NINES_HOST=127.0.0.1';
}

/** Whether a host name or address is loopback only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/^::ffff:(?=127\.)/, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
