import type { Principal } from './authorize';

/**
 * Who asked for a change, as the audit log records it: a token's or a signed-in user's name and
 * role, `anonymous` on an open loopback deployment, an ack link's signer, or the CLI's user.
 */
export interface Caller {
  actor: string;
  /** viewer | responder | admin | ingest:<source> | anonymous | ack-link | cli */
  role: string;
  /** The client address, when the change came over HTTP. */
  address?: string;
}

export function callerOf(p: Principal | 'anonymous' | 'open', address?: string): Caller {
  if (p === 'anonymous' || p === 'open') return { actor: 'anonymous', role: 'anonymous', address };
  return 'ingest' in p ? { actor: p.name, role: `ingest:${p.ingest}`, address } : { actor: p.name, role: p.role, address };
}

/** The CLI acts as the operating-system user that ran it. */
export function cliCaller(user: string | undefined): Caller {
  return { actor: user || 'cli', role: 'cli' };
}

/** Whether the caller was identified (a token or a session), not anonymous on an open deployment. */
export function authenticated(c: Caller): boolean {
  return c.role !== 'anonymous';
}
