/**
 * The Fastify application: shared schemas, OpenAPI (/openapi.json) and Swagger UI (/docs), error
 * mapping, multipart, metrics, and the feature route plugins. Each feature is one entry of
 * FEATURE_ROUTES with its prefix, whether it sits behind the Bearer token, and the services its
 * plugin gets: each plugin names in its options exactly what it uses, and this list is the one
 * place that hands them over (never the adapters, never the whole of AppServices).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyPluginOptions } from 'fastify';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import { OcrflowError, tokenGrants } from '@ocrflow/core';
import { analysisRoutes } from '../routes/analysis.routes.ts';
import { batchEventsRoutes } from '../routes/batch-events.routes.ts';
import { batchesRoutes } from '../routes/batches.routes.ts';
import { BATCH_SCHEMAS } from '../routes/batches.schemas.ts';
import { deliveriesRoutes } from '../routes/deliveries.routes.ts';
import { enginesRoutes } from '../routes/engines.routes.ts';
import { deepseekCompatRoutes } from '../routes/compat.deepseek.routes.ts';
import { paddleCompatRoutes } from '../routes/compat.paddle.routes.ts';
import { eventsRoutes } from '../routes/events.routes.ts';
import { healthRoutes } from '../routes/health.routes.ts';
import { jobsRoutes } from '../routes/jobs.routes.ts';
import { SHARED_SCHEMAS } from '../routes/jobs.schemas.ts';
import { resultsRoutes } from '../routes/results.routes.ts';
import { webUiRoutes } from '../workbench/web.static.ts';
import { workbenchRoutes } from '../workbench/workbench.routes.ts';
import type { AppServices } from './app.services.ts';
import { bearerAuth } from './auth.hook.ts';
import { closeRefusedConnections, serverTimeouts } from './connection.policy.ts';
import { installErrorHandlers, sendError } from './errors.handler.ts';

export interface FeatureRoutes {
  name: string;
  prefix: string;
  /** Behind OCRFLOW_TOKENS, and answered 503 until the service is ready. */
  protected: boolean;
  /** Registers the plugin in `scope` with the services it uses, and only those. */
  register(scope: FastifyInstance, services: AppServices): PromiseLike<unknown>;
}

/** One feature: its plugin, and what it gets out of everything the process built. */
function feature<O extends FastifyPluginOptions>(
  f: Omit<FeatureRoutes, 'register'> & { plugin: FastifyPluginAsync<O>; options: (s: AppServices) => NoInfer<O> },
): FeatureRoutes {
  return { name: f.name, prefix: f.prefix, protected: f.protected, register: (scope, s) => scope.register(f.plugin, f.options(s)) };
}

/** The long-polls and event streams: a slot each, and the end at shutdown. */
const held = (s: AppServices) => ({ streams: s.streams, closing: s.closing });

export const FEATURE_ROUTES: FeatureRoutes[] = [
  feature({ name: 'health', prefix: '', protected: false, plugin: healthRoutes, options: (s) => ({ health: s.health, metrics: s.metrics }) }),
  feature({
    name: 'jobs',
    prefix: '/v1',
    protected: true,
    plugin: jobsRoutes,
    options: (s) => ({ jobs: s.jobs, submissions: s.submissions, config: s.ctx.config }),
  }),
  feature({
    name: 'events',
    prefix: '/v1',
    protected: true,
    plugin: eventsRoutes,
    options: (s) => ({ events: s.events, jobs: s.jobs, ...held(s), sseHeartbeatMs: s.ctx.config.sseHeartbeatMs }),
  }),
  feature({
    name: 'batches',
    prefix: '/v1',
    protected: true,
    plugin: batchesRoutes,
    options: (s) => ({ batches: s.batches, batchResults: s.batchResults, submissions: s.submissions, config: s.ctx.config }),
  }),
  feature({
    name: 'batch-events',
    prefix: '/v1',
    protected: true,
    plugin: batchEventsRoutes,
    options: (s) => ({ batchEvents: s.batchEvents, batches: s.batches, ...held(s), sseHeartbeatMs: s.ctx.config.sseHeartbeatMs }),
  }),
  feature({ name: 'results', prefix: '/v1', protected: true, plugin: resultsRoutes, options: (s) => ({ results: s.results }) }),
  feature({ name: 'analysis', prefix: '/v1', protected: true, plugin: analysisRoutes, options: (s) => ({ analysis: s.analysis }) }),
  feature({ name: 'deliveries', prefix: '/v1', protected: true, plugin: deliveriesRoutes, options: (s) => ({ webhooks: s.webhooks }) }),
  feature({ name: 'engines', prefix: '/v1', protected: true, plugin: enginesRoutes, options: (s) => ({ health: s.health }) }),
  // Drop-in compatibility: DeepSeek-OCR-Web's /api/*, the PaddleOCR job service's routes.
  feature({ name: 'compat-deepseek', prefix: '', protected: true, plugin: deepseekCompatRoutes, options: (s) => ({ deepseek: s.deepseek }) }),
  feature({
    name: 'compat-paddle',
    prefix: '',
    protected: true,
    plugin: paddleCompatRoutes,
    options: (s) => ({ paddle: s.paddle, submissions: s.submissions, events: s.events, results: s.results, ...held(s), config: s.ctx.config }),
  }),
  // The workbench: its API in the {success, message, data} envelope, and the web UI at `/`.
  // Not `protected` here: the workbench has its own gate behind OCRFLOW_TOKENS (Bearer or sign-in
  // cookie, answers in its envelope; workbench/auth.guard.ts).
  feature({
    name: 'workbench',
    prefix: '/api/v1',
    protected: false,
    plugin: workbenchRoutes,
    options: (s) => ({ workbench: s.workbench, state: s.state, ...held(s), config: s.ctx.config }),
  }),
  feature({ name: 'web', prefix: '', protected: false, plugin: webUiRoutes, options: (s) => ({ webDir: s.workbench?.webDir }) }),
];

export async function buildApp(services: AppServices, logger: Logger): Promise<FastifyInstance> {
  const { config } = services.ctx;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    ...serverTimeouts(config),
    // Long-polls and SSE streams are ended by the `closing` signal; idle keep-alive sockets close at once.
    forceCloseConnections: 'idle',
    ajv: { customOptions: { allErrors: false } },
  });
  installErrorHandlers(app);
  closeRefusedConnections(app);
  for (const s of [...SHARED_SCHEMAS, ...BATCH_SCHEMAS]) app.addSchema(s);

  await app.register(swagger, {
    openapi: {
      info: { title: 'ocrflow', description: 'Asynchronous document OCR service', version: '0.1.0' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // The workbench (/api/v1) also accepts the browser's sign-in cookie (POST /api/v1/auth/login).
          session: { type: 'apiKey', in: 'cookie', name: 'ocrflow_session' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url }) => ({ schema: withMultipartDoc(schema), url }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(multipart, {
    // Our own counter in the blob store enforces the limit (413, temp file deleted); busboy's limit
    // (one byte more) only stops it from reading further.
    limits: { fileSize: Math.floor(config.maxUploadMb * 1024 * 1024) + 1, files: 1, fields: 32, fieldSize: 64 * 1024, parts: 40 },
    throwFileSizeLimit: false,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.addHook('onResponse', (req, reply, done) => {
    services.metrics.observeHttp(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  const auth = bearerAuth(tokenGrants(config), services.authLimiter);
  for (const f of FEATURE_ROUTES) {
    // A `--role worker` process answers only /health, /ready and /metrics (on OCRFLOW_HEALTH_PORT).
    if (config.role === 'worker' && f.name !== 'health') continue;
    await app.register(
      async (scope) => {
        if (f.protected) {
          scope.addHook('onRoute', (r) => {
            if (r.schema) r.schema = { ...r.schema, security: [{ bearer: [] }] } as typeof r.schema;
          });
          scope.addHook('onRequest', auth);
          scope.addHook('onRequest', (_req, reply, done) => {
            // Jobs are durable in the store and wait in the queue: they are taken before the engines are warm.
            if (services.state.accepting) return done();
            sendError(reply, new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Starting up; retry shortly'));
          });
        }
        await f.register(scope, services);
      },
      { prefix: f.prefix },
    );
  }
  return app;
}

/** Routes that stream multipart bodies declare the form as `multipartBody` (documentation only). */
function withMultipartDoc<S>(schema: S): S {
  const s = schema as { multipartBody?: unknown; body?: { content?: Record<string, unknown> } } | undefined;
  if (!s?.multipartBody) return schema;
  const { multipartBody, ...rest } = s;
  return { ...rest, body: { content: { 'multipart/form-data': { schema: multipartBody }, ...(rest.body?.content ?? {}) } } } as S;
}
