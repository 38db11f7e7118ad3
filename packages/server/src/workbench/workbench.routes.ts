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
import { type Config, OcrflowError } from '@ocrflow/core';
import { callerOf } from '../http/caller.ts';
import type { StreamLimiter } from '../http/stream.limiter.ts';
import type { ServiceState } from '../services/health.service.ts';
import { installAuthGuard } from './auth.guard.ts';
import { authRoutes } from './auth.routes.ts';
import { installEnvelopeHandlers, sendEnvelopeError } from './envelope.ts';
import { excelAppRoutes } from './excel-app.routes.ts';
import { ocrRoutes } from './ocr.routes.ts';
import { taskEventsRoutes } from './task-events.routes.ts';
import { taskFilesRoutes } from './task-files.routes.ts';
import { tasksRoutes } from './tasks.routes.ts';
import type { Workbench } from './workbench.ts';

export interface WorkbenchRoutesOptions {
  /** The workbench's services (not its context: routes never see the stores); absent in `--role api|worker`. */
  workbench: Pick<Workbench, 'auth' | 'tasks' | 'taskEvents' | 'ocr' | 'files' | 'workbooks' | 'health' | 'webhookSecret'> | undefined;
  state: Readonly<ServiceState>;
  streams: StreamLimiter;
  /** Aborted when the server starts shutting down. */
  closing: AbortSignal;
  config: Config;
}

export const workbenchRoutes: FastifyPluginAsync<WorkbenchRoutesOptions> = async (app, { workbench: wb, state, streams, closing, config }) => {
  if (!wb) return;
  installEnvelopeHandlers(app);
  app.addHook('onRequest', (req, reply, done) => {
    if (state.accepting || req.url.startsWith('/api/v1/ocr/health')) return done();
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
  // Each group gets the services it uses.
  const { auth, tasks, taskEvents, ocr, files, workbooks } = wb;
  await app.register(authRoutes, { auth });
  await app.register(tasksRoutes, { tasks, ocr });
  await app.register(taskEventsRoutes, { tasks, taskEvents, streams, closing, sseHeartbeatMs: config.sseHeartbeatMs });
  await app.register(ocrRoutes, { tasks, ocr, workbench: wb });
  await app.register(taskFilesRoutes, { files, workbooks, config });
  await app.register(excelAppRoutes, { tasks, ocr, workbooks, config });
};
