/** `/health`, `/ready`, `/metrics` — open (no token), cheap, and never touching the OCR threads. */
import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import type { RouteOptions } from '../http/app.services.ts';
import { errorResponses } from './jobs.schemas.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const started = Date.now();

export const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  const { ctx, pool, runner, state, metrics } = services;

  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness and a summary of the service',
        tags: ['service'],
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            properties: {
              ok: { type: 'boolean' },
              queue_len: { type: 'integer' },
              worker_alive: { type: 'boolean' },
              version: { type: 'string' },
              role: { type: 'string' },
              ready: { type: 'boolean' },
              engines: { type: 'array', items: { type: 'string' } },
              default_engine: { type: 'string' },
              workers: {
                type: 'object',
                properties: { size: { type: 'integer' }, alive: { type: 'integer' }, busy: { type: 'integer' }, processes: { type: 'integer', description: 'Worker processes of the deployment (scaled shape, processes without workers)' } },
              },
              store: { type: 'string' },
              queue: { type: 'string' },
              storage: { type: 'string', description: '`ok`, or why the data directory cannot be written' },
              uptime_s: { type: 'number' },
            },
          },
        },
      },
    },
    async () => {
      const queueLen = await ctx.queue.size().catch(() => -1);
      const alive = pool ? pool.aliveCount() : 0;
      // A process without workers (`--role api|app`) asks the queue whether any worker process is taking jobs.
      const processes = !pool && ctx.queue.workerCount ? await ctx.queue.workerCount() : null;
      const workerAlive = pool ? alive > 0 : (processes ?? 0) > 0;
      const storage = (await ctx.blobs.probe()) ?? 'ok';
      return {
        ok: state.ready && queueLen >= 0 && (pool === null || workerAlive) && storage === 'ok',
        queue_len: Math.max(0, queueLen),
        worker_alive: workerAlive,
        version: VERSION,
        role: ctx.config.role,
        ready: state.ready,
        engines: ctx.pipeline.engineNames(),
        default_engine: ctx.config.engine,
        workers: { size: pool?.size ?? 0, alive, busy: runner?.activeJobs ?? 0, ...(processes !== null ? { processes } : {}) },
        store: ctx.store.kind,
        queue: ctx.queue.kind,
        storage,
        uptime_s: Math.round((Date.now() - started) / 1000),
      };
    },
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Ready to take jobs: store migrated and the data directory writable',
        description:
          'Jobs are accepted (and queued) as soon as the store is ready; `workers` says whether this process\'s OCR workers have started yet (`none` in processes without workers). 503 `OCRFLOW_ERR_NOT_READY` while starting, `OCRFLOW_ERR_STORAGE_UNAVAILABLE` when the data directory cannot be written (`details.storage` says why).',
        tags: ['service'],
        response: {
          200: { type: 'object', properties: { ready: { type: 'boolean' }, storage: { type: 'string' }, workers: { type: 'string', enum: ['ok', 'starting', 'none'] } } },
          ...errorResponses,
        },
      },
    },
    async () => {
      if (!state.accepting) throw new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Starting up: the store is not ready yet');
      const storage = await ctx.blobs.probe();
      if (storage) throw new OcrflowError('OCRFLOW_ERR_STORAGE_UNAVAILABLE', `The data directory is ${storage}`, { storage });
      return { ready: true, storage: 'ok', workers: pool ? (state.ready ? 'ok' : 'starting') : 'none' };
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['service'] } }, async (_req, reply) => {
    reply.type(metrics.contentType);
    return metrics.text();
  });
};
