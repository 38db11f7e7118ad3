/**
 * Bearer-token authentication for the service API (OCRFLOW_TOKENS; none configured = open, with a
 * warning at start-up). Tokens are compared as SHA-256 digests with `timingSafeEqual` — equal
 * lengths whatever the input — and every configured token is checked, so the time taken does not
 * reveal which token, or how much of one, matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import { sendError } from './errors.handler.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Authorization: Bearer <token>` → the token; null when the header is absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? null;
}

export function tokenMatcher(tokens: readonly string[]): (presented: string) => boolean {
  const digests = tokens.map(digest);
  return (presented) => {
    const d = digest(presented);
    let ok = false;
    for (const t of digests) ok = timingSafeEqual(d, t) || ok;
    return ok;
  };
}

/** An onRequest hook for a scope of routes; a no-op when no tokens are configured. */
export function bearerAuth(tokens: readonly string[]): onRequestHookHandler {
  const matches = tokenMatcher(tokens);
  return function auth(req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    if (tokens.length === 0) return done();
    const presented = bearerToken(req.headers.authorization);
    if (presented !== null && matches(presented)) return done();
    sendError(reply, new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', presented !== null ? 'The Bearer token is not valid' : 'A valid Bearer token is required (Authorization: Bearer <token>)'));
  };
}
