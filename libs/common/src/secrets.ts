/**
 * Secrets (passwords in URLs, SMTP credentials, webhook secrets) must never reach logs, errors,
 * API output or metrics. Two defences: URLs are masked structurally wherever we print them, and
 * every secret value known from the config is scrubbed from free text (driver errors often echo
 * the connection string they were given).
 */
const MASK = '***';

/** Masks the password (and token-like query parameters) of anything that looks like a URL. */
export function maskUrl(raw: string): string {
  // Userinfo runs to the last "@" of the authority, as URL parsers read it: "user:p@ss@host"
  // (quotes end it too, so a URL inside JSON text cannot swallow the fields after it).
  return raw.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'`<>\\]*)@/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:${MASK}@`;
  }).replace(/([?&](?:password|passwd|pwd|secret|token|access_token|api_key|apikey|key)=)[^&\s#"']*/gi, `$1${MASK}`);
}

/** Extracts the secret parts of a URL so they can be registered with a scrubber. */
export function secretsOfUrl(raw: string): string[] {
  const out: string[] = [];
  try {
    const u = new URL(raw);
    if (u.password) {
      out.push(u.password);
      // A stray % ("p%ss") is not valid percent-encoding: keep the raw form rather than losing it.
      try {
        out.push(decodeURIComponent(u.password));
      } catch {
        /* raw form only */
      }
    }
    for (const [k, v] of u.searchParams) {
      if (/^(password|passwd|pwd|secret|token|access_token|api_key|apikey|key)$/i.test(k) && v) out.push(v);
    }
  } catch {
    /* not a URL: nothing to extract */
  }
  return out;
}

export class SecretScrubber {
  private secrets: string[] = [];
  private given: string[] = [];
  private readonly pinned = new Set<string>();

  /** Replaces the known secret set (on config load and reload). Short values would mask noise. */
  setSecrets(values: Iterable<string>): void {
    this.given = [...values];
    this.rebuild();
  }

  /**
   * Adds secrets that hold for the life of the process (the environment's: Redis and Sentinel
   * passwords); a later setSecrets from a config reload keeps them.
   */
  pin(values: Iterable<string>): void {
    for (const v of values) this.pinned.add(v);
    this.rebuild();
  }

  private rebuild(): void {
    const uniq = new Set<string>();
    for (const v of [...this.pinned, ...this.given]) if (v && v.length >= 3) uniq.add(v);
    // Longest first so a secret containing another is masked whole.
    this.secrets = [...uniq].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    // Known secrets first: masking a URL first could split a secret and leave part of it behind.
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    // Nines' own API tokens are recognisable by shape wherever they turn up.
    return maskUrl(out).replace(/\bnines_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, `nines_${MASK}`);
  }

  /** Deep-scrubs strings inside plain JSON-like values (log objects, API payloads). */
  scrubValue<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.scrub(value) as T;
    if (value === null || typeof value !== 'object') return value;
    // Too deep to check (or cyclic): drop it rather than pass its strings through unscrubbed.
    if (depth > 8) return '[too deep to scrub]' as T;
    if (Array.isArray(value)) return value.map((v) => this.scrubValue(v, depth + 1)) as T;
    if (value instanceof Date) return value;
    // An Error's name and message are not enumerable: keep them (scrubbed), or a log line says `"err":{}`.
    if (value instanceof Error) {
      const e = value as Error & { code?: unknown; cause?: unknown };
      const out: Record<string, unknown> = { type: e.name, message: this.scrub(e.message) };
      if (e.code !== undefined) out.code = this.scrubValue(e.code, depth + 1);
      for (const [k, v] of Object.entries(e)) if (!(k in out) && k !== 'cause') out[k] = this.scrubValue(v, depth + 1);
      if (e.cause !== undefined) out.cause = this.scrubValue(e.cause, depth + 1);
      return out as T;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = this.scrubValue(v, depth + 1);
    return out as T;
  }
}

/** Process-wide scrubber: the logger and the error filter use it; the config loader feeds it. */
export const secretScrubber = new SecretScrubber();
