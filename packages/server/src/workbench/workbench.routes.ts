/**
 * The workbench API plugin, mounted at `/api/v1` (FEATURE_ROUTES in http/app.ts): the envelope
 * error and not-found handlers for this prefix, a readiness gate (503 in the envelope while the
 * store migrates; the health route always answers), and the route groups.
 *
 * Behind OCRFLOW_TOKENS by its own gate (auth.guard.ts), not the service API's: answers stay in the
 * envelope, the browser may use a session cookie instead of a Bearer token, and the webhook
 * receiver (authenticated by its signature), health and sign-in stay open. The workbench itself
 * uses the OCR service with a token.
 */
import type { FastifyPluginAsync } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import type { RouteOptions } from '../http/app.services.ts';
import { callerOf } from '../http/caller.ts';
import { installAuthGuard } from './auth.guard.ts';
import { authRoutes } from './auth.routes.ts';
import { installEnvelopeHandlers, sendEnvelopeError } from './envelope.ts';
import { excelAppRoutes } from './excel-app.routes.ts';
import { ocrRoutes } from './ocr.routes.ts';
import { taskEventsRoutes } from './task-events.routes.ts';
import { taskFilesRoutes } from './task-files.routes.ts';
import { tasksRoutes } from './tasks.routes.ts';
import type { WorkbenchRouteOptions } from './workbench-routes.types.ts';

export const workbenchRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  const wb = services.workbench;
  if (!wb) return;
  installEnvelopeHandlers(app);
  app.addHook('onRequest', (req, reply, done) => {
    if (services.state.accepting || req.url.startsWith('/api/v1/ocr/health')) return done();
    sendEnvelopeError(reply, new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Starting up; retry shortly', { retry_after_s: 1 }));
  });
  installAuthGuard(app, wb.auth);
  // Every route that names a task (`:id`, `:task_id`) answers only for the caller's tenant; the
  // check sits here, once for all of them, so a route added later cannot forget it. Another
  // tenant's task gets the same 404 as a task that does not exist — before the body is validated,
  // so a malformed body cannot make the answers differ either.
  app.addHook('preValidation', async (req) => {
    const p = req.params as { id?: unknown; task_id?: unknown } | undefined;
    const id = p?.id ?? p?.task_id;
    if (typeof id === 'string') await wb.tasks.requireFor(callerOf(req), id);
  });
  const opts: WorkbenchRouteOptions = { wb, services };
  await app.register(authRoutes, opts);
  await app.register(tasksRoutes, opts);
  await app.register(taskEventsRoutes, opts);
  await app.register(ocrRoutes, opts);
  await app.register(taskFilesRoutes, opts);
  await app.register(excelAppRoutes, opts);
};
