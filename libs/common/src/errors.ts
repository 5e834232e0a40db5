/** Domain errors carry a stable code; one HTTP filter maps codes to statuses. */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'invalid_config'
  | 'unavailable'
  | 'internal';

/**
 * A count limit of the config reached (open silences, API-defined SLOs): 409, as the request is
 * well formed but conflicts with what is stored; it goes through once something is removed,
 * whereas waiting (429) would not help. `details.limit` names the config key.
 */
export function limitReached(limit: string, current: number, max: number, what: string, fix: string): DomainError {
  return new DomainError('conflict', `${current} ${what} already, the limit (limits.${limit}) is ${max}: ${fix}`, { limit, max, current });
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A missing or unreachable dependency: printed as one line with how to fix it, never a stack. */
export class DependencyError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'DependencyError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
