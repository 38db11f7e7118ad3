/**
 * Browser sign-in (`/api/v1/auth/*`): exchange an access token for the session cookie, end the
 * session, and ask whether one is needed / held. Public routes (see auth.guard.ts PUBLIC_ROUTES);
 * each one reads the credentials itself.
 */
import type { FastifyPluginAsync } from 'fastify';
import { OPEN_CALLER } from '@ocrflow/core';
import { credentialsOf, csrfError, csrfOk, isHttps, sendDenied } from './auth.guard.ts';
import { envelope, envelopeErrors, ok } from './envelope.ts';
import { sessionSetCookie } from './session.cookie.ts';
import type { WorkbenchAuth } from './auth.service.ts';

const sessionSchema = {
  type: 'object',
  required: ['auth_required', 'signed_in', 'via', 'expires_at', 'tenant', 'admin'],
  properties: {
    auth_required: { type: 'boolean', description: 'True when the server has OCRFLOW_TOKENS: the workbench needs a sign-in or a Bearer token' },
    signed_in: { type: 'boolean', description: 'The caller presented valid credentials' },
    via: { anyOf: [{ type: 'string', enum: ['cookie', 'bearer'] }, { type: 'null' }] },
    expires_at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], description: 'When the session cookie stops working' },
    tenant: {
      anyOf: [{ type: 'string' }, { type: 'null' }],
      description: 'The tenant whose tasks the caller sees (`default` on a server without tokens; null when not signed in)',
    },
    admin: { type: 'boolean', description: "The caller sees every tenant's tasks (OCRFLOW_ADMIN_TOKENS; always true without tokens)" },
  },
} as const;

export interface AuthRoutesOptions {
  auth: WorkbenchAuth;
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, { auth }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        summary: 'Sign in with an access token: sets the session cookie',
        description:
          'The token is one of OCRFLOW_TOKENS. 200 with `Set-Cookie: ocrflow_session=…; HttpOnly; SameSite=Strict; Path=/` (`Secure` over https), valid for OCRFLOW_SESSION_TTL_HOURS; the cookie is a signed session, not the token. 401 OCRFLOW_ERR_UNAUTHORIZED for a wrong token; after 10 wrong tokens within a minute from one address (on any route), 429 OCRFLOW_ERR_TOO_MANY_ATTEMPTS with Retry-After for any token that has not already worked from that address. Without OCRFLOW_TOKENS: 200, `auth_required: false`, no cookie.',
        tags: ['workbench'],
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } } },
        response: { 200: envelope(sessionSchema), ...envelopeErrors },
      },
    },
    async (req, reply) => {
      const s = auth.login((req.body as { token: string }).token, req.ip);
      if (!s) return ok(auth.view({ kind: 'open', caller: OPEN_CALLER }), 'Sign-in is not needed: no access tokens are configured');
      reply.header('set-cookie', sessionSetCookie(s.value, { maxAgeS: auth.ttlMs / 1000, secure: isHttps(req) }));
      reply.header('cache-control', 'no-store');
      return ok(auth.view({ kind: 'cookie', claims: s.claims, caller: s.caller }), 'Signed in');
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        summary: 'Sign out: ends the session and clears the cookie',
        description:
          'The session stops working for good, also for copies of the cookie. Send `X-Requested-With: ocrflow` (403 OCRFLOW_ERR_CSRF otherwise, when a valid cookie comes with it). Always clears the cookie.',
        tags: ['workbench'],
        response: { 200: envelope(sessionSchema), ...envelopeErrors },
      },
    },
    async (req, reply) => {
      // Only the cookie matters here: a Bearer token is not a session.
      const r = await auth.authenticate({ ...credentialsOf(req), authorization: undefined });
      if (r.kind === 'cookie') {
        if (!csrfOk(req)) throw csrfError();
        await auth.logout(r.claims);
      }
      if (auth.required) reply.header('set-cookie', sessionSetCookie(null, { maxAgeS: 0, secure: isHttps(req) }));
      return ok(auth.view({ kind: 'anonymous' }), r.kind === 'cookie' ? 'Signed out' : 'Not signed in');
    },
  );

  app.get(
    '/auth/session',
    {
      schema: {
        summary: 'Is a sign-in needed, and is the caller signed in?',
        description:
          'Always 200 (429 while the address is held back for wrong Bearer tokens). `signed_in: false` with a plain `message` when the cookie expired, was signed out or is not valid (the cookie is then cleared).',
        tags: ['workbench'],
        response: { 200: envelope(sessionSchema), ...envelopeErrors },
      },
    },
    async (req, reply) => {
      const r = await auth.authenticate(credentialsOf(req));
      reply.header('cache-control', 'no-store');
      if (r.kind === 'denied') {
        if (r.error.code !== 'OCRFLOW_ERR_UNAUTHORIZED') return sendDenied(req, reply, r);
        if (r.clearCookie) reply.header('set-cookie', sessionSetCookie(null, { maxAgeS: 0, secure: isHttps(req) }));
        return ok(auth.view(r), r.error.message);
      }
      const message = r.kind === 'open' ? 'Sign-in is not needed' : r.kind === 'anonymous' ? 'Not signed in' : 'Signed in';
      return ok(auth.view(r), message);
    },
  );
};
