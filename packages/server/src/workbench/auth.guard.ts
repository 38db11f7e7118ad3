/**
 * The workbench API's gate when OCRFLOW_TOKENS is set: every route needs a Bearer token or the
 * session cookie, except the few in PUBLIC_ROUTES. Protected by default — a route added later is
 * behind the gate unless someone lists it here on purpose (the API test walks the OpenAPI document
 * to hold us to that).
 *
 * CSRF. The cookie is SameSite=Strict, so a browser does not attach it to requests started by
 * another site's page. On top of that, a request authenticated by the cookie that changes something
 * (POST, PUT, PATCH, DELETE) must carry `X-Requested-With: ocrflow`. A page on another origin can
 * only send a custom header through a CORS preflight, which ocrflow never grants (no CORS headers),
 * and HTML forms cannot set headers at all. We chose the header over checking `Origin` because it
 * needs no knowledge of the public address (reverse proxies rewrite Host, some strip or omit
 * Origin), so it cannot be got wrong by deployment. Requests with a Bearer token need no header:
 * browsers never add `Authorization` on their own.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OcrflowError, OPEN_CALLER } from '@ocrflow/core';
import { sendEnvelopeError } from './envelope.ts';
import type { AuthResult, Credentials, WorkbenchAuth } from './auth.service.ts';
import { sessionSetCookie } from './session.cookie.ts';

/** Open even with tokens: the webhook receiver (its own Standard Webhooks signature), health (tells the UI whether to sign in), sign-in itself. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/ocr/webhook',
  'GET /api/v1/ocr/health',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/session',
]);

export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'ocrflow';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const routeKey = (method: string, url: string | undefined) => (url ? `${method === 'HEAD' ? 'GET' : method} ${url}` : null);

export function credentialsOf(req: FastifyRequest): Credentials {
  return { authorization: req.headers.authorization, cookie: req.headers.cookie, ip: req.ip };
}

/**
 * Secure cookies when the request came over https: TLS here, or a TLS-terminating proxy saying so.
 * Believing `X-Forwarded-Proto: https` is safe here: it can only add `Secure`, and a browser that
 * did not use https then simply does not keep the cookie.
 */
export function isHttps(req: FastifyRequest): boolean {
  const fwd = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim().toLowerCase();
  return req.protocol === 'https' || first === 'https';
}

export function csrfOk(req: FastifyRequest): boolean {
  return SAFE_METHODS.has(req.method) || req.headers[CSRF_HEADER] === CSRF_VALUE;
}

export const csrfError = () =>
  new OcrflowError(
    'OCRFLOW_ERR_CSRF',
    `Changes made with the sign-in cookie must carry the header X-Requested-With: ${CSRF_VALUE} (or use Authorization: Bearer)`,
  );

/** The 401/403/429 answer for a refused request (the cookie cleared when it can never work again). */
export function sendDenied(req: FastifyRequest, reply: FastifyReply, r: Extract<AuthResult, { kind: 'denied' | 'anonymous' }>): FastifyReply {
  const error = r.kind === 'denied' ? r.error : new OcrflowError('OCRFLOW_ERR_UNAUTHORIZED', 'Please sign in first (or send Authorization: Bearer <token>)');
  if (r.kind === 'denied' && r.clearCookie) reply.header('set-cookie', sessionSetCookie(null, { maxAgeS: 0, secure: isHttps(req) }));
  if (error.code === 'OCRFLOW_ERR_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
  return sendEnvelopeError(reply, error);
}

/** Installs the gate on the workbench plugin's scope (after its readiness gate). */
export function installAuthGuard(app: FastifyInstance, auth: WorkbenchAuth): void {
  // The OpenAPI document says which routes need credentials (the same list the gate uses).
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    if (methods.every((m) => PUBLIC_ROUTES.has(routeKey(m, r.url) ?? ''))) return;
    if (r.schema) r.schema = { ...r.schema, security: [{ bearer: [] }, { session: [] }] } as typeof r.schema;
  });
  app.addHook('onRequest', async (req, reply) => {
    if (!auth.required) {
      req.caller = OPEN_CALLER;
      return;
    }
    const key = routeKey(req.method, req.routeOptions.url);
    if (key && PUBLIC_ROUTES.has(key)) return;
    const r = await auth.authenticate(credentialsOf(req));
    if (r.kind === 'open' || r.kind === 'bearer' || r.kind === 'cookie') req.caller = r.caller;
    if (r.kind === 'open' || r.kind === 'bearer') return;
    if (r.kind === 'cookie') {
      if (csrfOk(req)) return;
      return sendEnvelopeError(reply, csrfError());
    }
    return sendDenied(req, reply, r);
  });
}
