/**
 * Who may use the workbench API when OCRFLOW_TOKENS is set (open when it is empty, as before):
 * scripts send `Authorization: Bearer <token>`, the browser signs in once with a token and then
 * carries the session cookie (session.cookie.ts). Tokens are checked by the service API's own
 * constant-time `grantMatcher` (http/auth.hook.ts), never by a second comparison. The token — or,
 * for the cookie, the token it was sealed with — gives the caller's tenant. Failed token
 * guesses — at sign-in or as a Bearer header — count towards the per-address limit the whole
 * service shares (http/auth.limiter.ts); a token that already worked from an address is not held back.
 */
import { OcrflowError, OPEN_CALLER, tokenGrants, type Caller, type Config, type TokenGrant } from '@ocrflow/core';
import { bearerToken, grantMatcher } from '../http/auth.hook.ts';
import type { SessionRevocations } from '../ports/session-store.port.ts';
import { FailureLimiter } from '../http/auth.limiter.ts';
import { loadSessionKey, readCookie, SESSION_COOKIE, SessionSealer, type SessionClaims } from './session.cookie.ts';

export interface Credentials {
  authorization?: string;
  cookie?: string;
  ip: string;
}

export type AuthResult =
  /** No tokens configured: everyone may. */
  | { kind: 'open'; caller: Caller }
  | { kind: 'bearer'; caller: Caller }
  | { kind: 'cookie'; claims: SessionClaims; caller: Caller }
  /** Nothing presented. */
  | { kind: 'anonymous' }
  /** Something presented and refused; `clearCookie` when the browser holds a cookie that can never work again. */
  | { kind: 'denied'; error: OcrflowError; clearCookie: boolean };

/** What `/auth/session` and `/auth/login` answer. */
export interface SessionView {
  auth_required: boolean;
  signed_in: boolean;
  via: 'cookie' | 'bearer' | null;
  expires_at: string | null;
  /** The tenant whose work this sign-in sees (null when not signed in). */
  tenant: string | null;
  /** Sees every tenant's work. */
  admin: boolean;
}

const NOT_VALID = 'Your sign-in is no longer valid; please sign in again';

export class WorkbenchAuth {
  readonly required: boolean;
  private readonly grants: readonly TokenGrant[];
  private readonly match: (presented: string) => TokenGrant | null;
  private sealer: SessionSealer | null = null;

  constructor(
    private readonly config: Config,
    private readonly revocations: SessionRevocations,
    private readonly now: () => number,
    readonly limiter: FailureLimiter = new FailureLimiter(),
  ) {
    this.grants = tokenGrants(config);
    this.required = this.grants.length > 0;
    this.match = grantMatcher(this.grants);
  }

  /** Loads (or creates) the server key; the routes answer 503 until the service is ready, so after this. */
  async init(): Promise<void> {
    if (this.required) this.sealer = new SessionSealer(await loadSessionKey(this.config), this.grants);
  }

  get ttlMs(): number {
    return this.config.sessionTtlHours * 3600_000;
  }

  private tooMany(waitS: number): OcrflowError {
    return new OcrflowError('OCRFLOW_ERR_TOO_MANY_ATTEMPTS', `Too many wrong access tokens from your address; try again in ${waitS} s`, {
      retry_after_s: waitS,
    });
  }

  async authenticate(c: Credentials): Promise<AuthResult> {
    if (!this.required) return { kind: 'open', caller: OPEN_CALLER };
    const now = this.now();
    // An Authorization header decides on its own: a script with a wrong token must hear so, not
    // be let in by a cookie it happens to carry.
    if (c.authorization) {
      const token = bearerToken(c.authorization);
      const wait = this.limiter.retryAfterS(c.ip, now, token ?? undefined);
      if (wait > 0) return { kind: 'denied', error: this.tooMany(wait), clearCookie: false };
      if (token === null)
        return { kind: 'denied', error: new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'Only Authorization: Bearer <token> is accepted'), clearCookie: false };
      const grant = this.match(token);
      if (grant) {
        this.limiter.succeed(c.ip, token);
        return { kind: 'bearer', caller: { tenant: grant.tenant, admin: grant.admin } };
      }
      this.limiter.fail(c.ip, now);
      return { kind: 'denied', error: new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'The Bearer token is not valid'), clearCookie: false };
    }
    const value = readCookie(c.cookie, SESSION_COOKIE);
    if (!value) return { kind: 'anonymous' };
    if (!this.sealer)
      return { kind: 'denied', error: new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Starting up; retry shortly', { retry_after_s: 1 }), clearCookie: false };
    const opened = this.sealer.open(value);
    if (!opened) return { kind: 'denied', error: new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', NOT_VALID), clearCookie: true };
    const { claims, grant } = opened;
    if (claims.expiresAt <= now)
      return { kind: 'denied', error: new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'Your sign-in has expired; please sign in again'), clearCookie: true };
    if (await this.revocations.isRevoked(claims.sid))
      return { kind: 'denied', error: new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', NOT_VALID), clearCookie: true };
    return { kind: 'cookie', claims, caller: { tenant: grant.tenant, admin: grant.admin } };
  }

  /** Checks the token and opens a session: the cookie value and its claims. Null when sign-in is not needed. */
  login(token: string, ip: string): { value: string; claims: SessionClaims; caller: Caller } | null {
    if (!this.required) return null;
    const now = this.now();
    const wait = this.limiter.retryAfterS(ip, now, token);
    if (wait > 0) throw this.tooMany(wait);
    const grant = this.match(token);
    if (!grant) {
      this.limiter.fail(ip, now);
      throw new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'The access token is not valid');
    }
    this.limiter.succeed(ip, token);
    if (!this.sealer) throw new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Starting up; retry shortly', { retry_after_s: 1 });
    return { ...this.sealer.seal(grant, now, this.ttlMs), caller: { tenant: grant.tenant, admin: grant.admin } };
  }

  /** Ends the session for good (also for copies of the cookie), on every process sharing the database. */
  async logout(claims: SessionClaims): Promise<void> {
    await this.revocations.revoke(claims.sid, claims.expiresAt, this.now());
  }

  view(r: AuthResult): SessionView {
    const signedIn = r.kind === 'bearer' || r.kind === 'cookie';
    return {
      auth_required: this.required,
      signed_in: signedIn,
      via: r.kind === 'bearer' ? 'bearer' : r.kind === 'cookie' ? 'cookie' : null,
      expires_at: r.kind === 'cookie' ? new Date(r.claims.expiresAt).toISOString() : null,
      tenant: signedIn || r.kind === 'open' ? r.caller.tenant : null,
      admin: signedIn || r.kind === 'open' ? r.caller.admin : false,
    };
  }
}
