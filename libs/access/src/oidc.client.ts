import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Clock } from '../../common/src/clock';
import { isLoopbackHost } from './authorize';

/** What of `auth.oidc` the client needs. */
export interface OidcClientSettings {
  issuer: string;
  client_id: string;
  client_secret?: string;
  scopes: string[];
}

/** The identity provider cannot be reached (or refuses our metadata): sign-in answers 503. */
export class OidcUnavailable extends Error {
  constructor(
    message: string,
    /** false when this is the last attempt's failure, repeated while waiting to retry (log it once). */
    readonly fresh = true,
  ) {
    super(message);
  }
}

/** The provider's answer to a sign-in was not acceptable (state, nonce, signature, a refused code). */
export class OidcRejected extends Error {
  constructor(
    message: string,
    /** The OAuth error code when the provider gave one (access_denied, invalid_grant). */
    readonly error?: string,
  ) {
    super(message);
  }
}

export interface SignInStart {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
}

/**
 * The OpenID Connect relying party (openid-client 6): discovery, the authorization URL with PKCE
 * S256, state and nonce, and the code exchange with ID token validation. Discovery is lazy and
 * retried, at most once per `retryMs` while the provider is down, so Nines starts and runs without
 * it; a reload that changes the issuer or client discovers again.
 */
export class OidcClient {
  private found: { key: string; config: oidc.Configuration } | undefined;
  private pending: { key: string; promise: Promise<oidc.Configuration> } | undefined;
  private failed: { key: string; at: number; reason: string } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly retryMs = 5000,
    private readonly timeoutSeconds = 10,
  ) {}

  async begin(s: OidcClientSettings, redirectUri: string): Promise<SignInStart> {
    const config = await this.configuration(s);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: s.scopes.includes('openid') ? s.scopes.join(' ') : ['openid', ...s.scopes].join(' '),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, verifier };
  }

  /**
   * Exchanges the code of the provider's redirect (`callbackUrl`: our redirect URI with its query)
   * and returns the validated ID token's claims, with userinfo's when `wanted` is not among them.
   */
  async finish(s: OidcClientSettings, callbackUrl: URL, checks: { state: string; nonce: string; verifier: string }, wanted: string): Promise<Record<string, unknown>> {
    const config = await this.configuration(s);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true });
    } catch (err) {
      throw rejected(err, 'the identity provider did not complete the sign-in');
    }
    const claims: Record<string, unknown> = { ...(tokens.claims() ?? {}) };
    if (claims[wanted] === undefined && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
      try {
        // Many providers put groups in userinfo only; its subject must be the ID token's.
        const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
        for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v;
      } catch (err) {
        throw rejected(err, 'could not read the user from the identity provider');
      }
    }
    return claims;
  }

  private async configuration(s: OidcClientSettings): Promise<oidc.Configuration> {
    // The key holds the secret's digest, not the secret: a changed secret means a new client.
    const key = createHash('sha256').update(JSON.stringify([s.issuer, s.client_id, s.client_secret ?? ''])).digest('hex');
    if (this.found?.key === key) return this.found.config;
    const now = this.clock.now();
    if (this.failed?.key === key && now - this.failed.at < this.retryMs) throw new OidcUnavailable(this.failed.reason, false);
    if (this.pending?.key !== key) {
      const promise = this.discover(s).then(
        (config) => {
          this.found = { key, config };
          this.failed = undefined;
          return config;
        },
        (err: unknown) => {
          const reason = err instanceof OidcUnavailable ? err.message : `the identity provider ${s.issuer} cannot be reached (${describe(err)})`;
          this.failed = { key, at: this.clock.now(), reason };
          throw new OidcUnavailable(reason);
        },
      );
      this.pending = { key, promise };
      promise.finally(() => {
        if (this.pending?.promise === promise) this.pending = undefined;
      }).catch(() => undefined);
    }
    return this.pending.promise;
  }

  private async discover(s: OidcClientSettings): Promise<oidc.Configuration> {
    const issuer = new URL(s.issuer);
    // Plain http only for a provider on this machine (a local IdP, tests); tokens never cross a network unencrypted.
    const insecure = issuer.protocol === 'http:';
    if (insecure && !isLoopbackHost(issuer.hostname)) throw new OidcUnavailable(`auth.oidc.issuer must be https (plain http only for a loopback issuer): ${issuer.origin}`);
    const auth = s.client_secret ? oidc.ClientSecretBasic(s.client_secret) : oidc.None();
    return oidc.discovery(issuer, s.client_id, undefined, auth, { timeout: this.timeoutSeconds, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) });
  }
}

/** An error's message and its network cause, without the response bodies or parameters it carries. */
function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause && typeof e.cause === 'object' && !(e.cause instanceof URLSearchParams) ? (e.cause.code ?? e.cause.message) : undefined;
  return [e?.message ?? String(err), typeof cause === 'string' ? cause : undefined].filter(Boolean).join(': ');
}

function rejected(err: unknown, what: string): OidcRejected | OidcUnavailable {
  const e = err as { error?: string; error_description?: string; message?: string; code?: string };
  if (typeof e?.error === 'string') return new OidcRejected(`${what}: ${e.error}${e.error_description ? ` (${e.error_description.slice(0, 200)})` : ''}`, e.error);
  // Network failures talking to the token endpoint are the provider being down, not a bad answer.
  if (e?.message === 'fetch failed' || (e as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED') return new OidcUnavailable(`${what}: the identity provider cannot be reached`);
  return new OidcRejected(`${what}: ${e?.message ?? String(err)}`);
}
