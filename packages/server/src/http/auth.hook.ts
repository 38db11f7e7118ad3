/**
 * Bearer-token authentication for the service API (OCRFLOW_TOKENS; none configured = open, with a
 * warning at start-up). The matched token's grant becomes the request's caller (http/caller.ts):
 * its tenant and admin flag. Tokens are compared as SHA-256 digests with `timingSafeEqual` — equal
 * lengths whatever the input — and every configured token is checked, so the time taken does not
 * reveal which token, or how much of one, matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { OcrflowError, OPEN_CALLER, type TokenGrant } from '@ocrflow/core';
import type { FailureLimiter } from './auth.limiter.ts';
import { sendError } from './errors.handler.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <token>` → the token; null when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? null;
}

/** The grant of a presented token, or null. Every grant is compared, whichever matches. */
export function grantMatcher(grants: readonly TokenGrant[]): (presented: string) => TokenGrant | null {
  const digests = grants.map((g) => digest(g.token));
  return (presented) => {
    const d = digest(presented);
    let hit: TokenGrant | null = null;
    for (let i = 0; i < digests.length; i++) if (timingSafeEqual(d, digests[i]) && hit === null) hit = grants[i];
    return hit;
  };
}

/**
 * An onRequest hook for a scope of routes; a no-op when no tokens are configured. With a limiter,
 * wrong tokens count per address and past its limit the address gets 429 — except for a token that
 * already worked from there (http/auth.limiter.ts). A request without any token is not a guess and
 * is not counted.
 */
export function bearerAuth(grants: readonly TokenGrant[], limiter?: FailureLimiter, now: () => number = Date.now): onRequestHookHandler {
  const match = grantMatcher(grants);
  return function auth(req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    if (grants.length === 0) {
      req.caller = OPEN_CALLER;
      return done();
    }
    const presented = bearerToken(req.headers.authorization);
    if (presented === null) {
      sendError(reply, new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'A valid Bearer token is required (Authorization: Bearer <token>)'));
      return;
    }
    const t = now();
    const wait = limiter?.retryAfterS(req.ip, t, presented) ?? 0;
    if (wait > 0) {
      sendError(
        reply,
        new OcrflowError('OCRFLOW_ERR_TOO_MANY_ATTEMPTS', `Too many wrong tokens from your address; try again in ${wait} s`, { retry_after_s: wait }),
      );
      return;
    }
    const grant = match(presented);
    if (grant) {
      limiter?.succeed(req.ip, presented);
      req.caller = { tenant: grant.tenant, admin: grant.admin };
      return done();
    }
    limiter?.fail(req.ip, t);
    sendError(reply, new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'The Bearer token is not valid'));
  };
}
