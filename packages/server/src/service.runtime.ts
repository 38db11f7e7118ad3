/**
 * Wires one ocrflow process from its configuration: adapters → services → HTTP app and/or the
 * worker runner (by `--role`), start-up recovery, and an orderly shutdown. `ocrflow serve` and the
 * tests start the service through `startService`.
 */
import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Config } from '@ocrflow/core';
import { closeAdapters, createAdapters, type Adapters } from './adapters/adapters.factory.ts';
import { createEnginesPipeline } from './adapters/engines.pipeline.ts';
import { buildApp } from './http/app.ts';
import type { AppServices } from './http/app.services.ts';
import { ServerMetrics } from './http/metrics.ts';
import { StreamLimiter } from './http/stream.limiter.ts';
import { FailureLimiter } from './http/auth.limiter.ts';
import type { DocumentPipeline } from './ports/pipeline.port.ts';
import { AnalysisService } from './services/analysis.service.ts';
import { BatchEventsService } from './services/batch.events.ts';
import { BatchResults } from './services/batch.results.ts';
import { BatchesService } from './services/batches.service.ts';
import { DeepSeekCompatService } from './services/compat.deepseek.service.ts';
import { PaddleCompatService } from './services/compat.paddle.service.ts';
import { EventsService } from './services/events.service.ts';
import { HealthService, type ServiceState } from './services/health.service.ts';
import { JobsService } from './services/jobs.service.ts';
import { ResultsService } from './services/results.service.ts';
import { JobStats, type ServiceContext } from './services/service.context.ts';
import { SubmissionService } from './services/submission.service.ts';
import { setupWebhooks } from './services/webhooks.setup.ts';
import { JobRunner } from './workers/job.runner.ts';
import type { ExtensionHandle, ServiceExtension } from './service.extensions.ts';
import { WorkerPool } from './workers/worker.pool.ts';
import { Workbench, type WorkbenchOptions } from './workbench/workbench.ts';

export interface StartOptions {
  config: Config;
  logger?: Logger;
  /** false: do not open a socket (tests that use `app.inject`). Default true. */
  listen?: boolean;
  pipeline?: DocumentPipeline;
  /**
   * false: recover and queue jobs but do not start the worker threads until `startWorkers()` —
   * for tests that need jobs to stay queued, and for maintenance starts. Default true.
   */
  startWorkers?: boolean;
  /** Features a program embedding the service adds to this start (installed after the workbench). */
  extensions?: ServiceExtension[];
  /** Workbench options (tests order webhook/long-poll races, point at a web UI build). */
  workbench?: WorkbenchOptions;
}

export interface RunningService {
  readonly app: FastifyInstance;
  readonly services: AppServices;
  readonly adapters: Adapters;
  readonly config: Config;
  /** Base URL the service listens on (or OCRFLOW_PUBLIC_URL); for `--role worker`, its health port's. */
  readonly url: string;
  /** Start the worker runner if `startWorkers: false` held it back (no-op otherwise). */
  startWorkers(): Promise<void>;
  /** Stop taking jobs, hand running ones back to the queue, close HTTP and the store. Idempotent. */
  close(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  // The workbench's session cookie is a credential too (sign-in).
  return pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'config.tokens'] });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startService(opts: StartOptions): Promise<RunningService> {
  const { config } = opts;
  const log = opts.logger ?? createLogger(config);
  const adapters = await createAdapters(config, log);
  let baseUrl = config.publicUrl.replace(/\/+$/, '') || `http://${urlHost(config.host)}:${config.port}`;
  const ctx: ServiceContext = {
    config,
    ...adapters,
    pipeline: opts.pipeline ?? createEnginesPipeline(config),
    log,
    stats: new JobStats(),
    baseUrl: () => baseUrl,
    now: () => Date.now(),
  };

  const jobs = new JobsService(ctx);
  const results = new ResultsService(ctx, jobs);
  const runsWorkers = config.role === 'all' || config.role === 'worker';
  const pool = runsWorkers ? new WorkerPool(config.workers, log, config) : null;
  const metrics = new ServerMetrics(ctx, () => pool?.aliveCount() ?? 0);
  const runner = pool ? new JobRunner(ctx, results, pool, metrics) : null;
  const analysis = new AnalysisService(ctx, jobs);
  const closing = new AbortController();
  // Every held long-poll and event stream listens to it (thousands at once by design), so Node's
  // leak warning at 10 listeners would only be noise.
  setMaxListeners(0, closing.signal);
  const submissions = new SubmissionService(ctx);
  const webhooks = await setupWebhooks(ctx, { jobs, registry: metrics.registry });
  const batches = new BatchesService(ctx, submissions, webhooks.service.submitCheck);

  // What happens at each step of a job besides its own bookkeeping — all of it registered here,
  // before the store is migrated and any transition can happen:
  // · submitted: its webhook_url is checked against the target guard (refused before it is stored);
  submissions.addSubmitCheck(webhooks.service.submitCheck);
  // · ended (finished, failed, canceled), inside the transaction that writes its final status: the
  //   webhook outbox rows, then its batch's counts (and the batch's own webhook row when it was the last);
  ctx.store.addTerminalHook(webhooks.service.terminalHook);
  ctx.store.addTerminalHook(batches.terminalHook);
  // · its result stored, in a process that runs workers: the analysis (OCRFLOW_ANALYSIS), stored as analysis.json;
  if (runner && config.analysis) runner.addPostJobStep(analysis.step());
  // · every event (progress included): the webhook service subscribes to the bus when it starts
  //   (webhooks.start below), for receivers that asked for progress events.
  // The workbench (tasks API, web UI) in `all` and `app` processes (`api` serves the
  // OCR service API only, `worker` no API); it reaches OCR only through the client.
  // One count of wrong tokens per address for every surface (service API, compatibility routes, workbench).
  const authLimiter = new FailureLimiter();
  const workbench = config.role === 'worker' || config.role === 'api' ? undefined : new Workbench(ctx, webhooks.guard, opts.workbench, authLimiter);
  if (workbench) metrics.observeWorkbookBuilds(() => workbench.workbooks.building);
  const state: ServiceState = { ready: false, accepting: false };
  const services: AppServices = {
    ctx,
    jobs,
    results,
    metrics,
    runner,
    pool,
    analysis,
    submissions,
    batches,
    batchEvents: new BatchEventsService(ctx, batches),
    batchResults: new BatchResults(ctx, results),
    webhooks: webhooks.service,
    workbench,
    events: new EventsService(ctx, jobs),
    health: new HealthService(ctx, state, pool, runner),
    deepseek: new DeepSeekCompatService(ctx, jobs, submissions),
    paddle: new PaddleCompatService(ctx, jobs, results, (a) => metrics.artifactBuilt(a)),
    authLimiter,
    streams: new StreamLimiter({ max: config.maxStreams, perClient: config.maxStreamsPerClient, idleTimeoutMs: config.idleTimeoutMs }, (scope) =>
      metrics.streamRefused(scope),
    ),
    state,
    closing: closing.signal,
  };
  const app = await buildApp(services, log);
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });

  let started: Promise<void> | null = null;
  const startWorkers = () => (started ??= runner ? runner.start() : Promise.resolve());
  const handles: { name: string; handle: ExtensionHandle }[] = [];
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      services.state.ready = false;
      services.state.accepting = false;
      closing.abort();
      await runner?.stop().catch((e) => log.error({ err: e }, 'stopping the workers failed'));
      await app.close().catch((e) => log.error({ err: e }, 'closing HTTP failed'));
      for (const { name, handle } of handles.reverse())
        await handle.close?.().catch((e) => log.error({ err: e, extension: name }, 'closing an extension failed'));
      await workbench?.stop().catch((e) => log.error({ err: e }, 'stopping the workbench failed'));
      await webhooks.stop().catch((e) => log.error({ err: e }, 'stopping the webhook dispatcher failed'));
      await closeAdapters(adapters, log);
      log.info('ocrflow stopped');
    })());

  let listenUrl: string | null = null;
  try {
    if (config.tokens.length === 0)
      log.warn(
        workbench
          ? 'OCRFLOW_TOKENS is empty: the service API and the workbench (web UI and /api/v1) are open to anyone who can reach them'
          : 'OCRFLOW_TOKENS is empty: the service API is open to anyone who can reach it',
      );
    // Listen first so /health and /ready answer (503) while the store migrates and threads start.
    // A worker listens only when asked to (OCRFLOW_HEALTH_PORT), for /health, /ready and /metrics.
    const listenPort = config.role === 'worker' ? config.healthPort || null : config.port;
    if (listenPort !== null && opts.listen !== false) {
      await app.listen({ host: config.host, port: listenPort });
      const addr = app.server.address();
      if (addr && typeof addr === 'object') listenUrl = `http://${urlHost(config.host)}:${addr.port}`;
      // A worker's health port is not where clients reach the API (its webhooks' result_url needs OCRFLOW_PUBLIC_URL).
      if (!config.publicUrl && config.role !== 'worker' && listenUrl) baseUrl = listenUrl;
    } else await app.ready();

    await adapters.store.migrate();
    // In the embedded shape this process is the only writer: every temp file and every job still
    // `running` was left by a previous process that died. Scaled shapes rely on lease expiry.
    const singleProcess = adapters.queue.kind === 'local';
    await adapters.blobs.sweepTemp(singleProcess ? 0 : 3600_000);
    await workbench?.start(app, { closing: closing.signal, ready: () => services.state.ready });
    for (const ext of opts.extensions ?? []) {
      const handle = await ext.install({ services, adapters, app });
      if (handle) handles.push({ name: ext.name, handle });
    }
    if (runner) await runner.reclaim(singleProcess);
    await adapters.queue.init(await adapters.store.listQueuedIds(1_000_000));
    await webhooks.start({ singleProcess });
    // Submissions are durable once the store and queue are up; only the workers wait for their engines.
    services.state.accepting = true;
    if (runner && opts.startWorkers !== false) await startWorkers();
    services.state.ready = true;
    log.info({ url: baseUrl, role: config.role, workers: pool?.size ?? 0, store: adapters.store.kind, queue: adapters.queue.kind }, 'ocrflow ready');
  } catch (e) {
    await close();
    throw e;
  }
  return { app, services, adapters, config, url: config.role === 'worker' ? (listenUrl ?? baseUrl) : baseUrl, startWorkers, close };
}
