/** `/health`, `/ready`, `/metrics` — open (no token), cheap, and never touching the OCR threads. */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerMetrics } from '../http/metrics.ts';
import type { HealthService } from '../services/health.service.ts';
import { errorResponses } from './jobs.schemas.ts';

export interface HealthRoutesOptions {
  health: HealthService;
  metrics: ServerMetrics;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { health, metrics }) => {
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
                properties: {
                  size: { type: 'integer' },
                  alive: { type: 'integer' },
                  busy: { type: 'integer' },
                  processes: { type: 'integer', description: 'Worker processes of the deployment (scaled shape, processes without workers)' },
                },
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
    async () => health.health(),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Ready to take jobs: store migrated and the data directory writable',
        description:
          "Jobs are accepted (and queued) as soon as the store is ready; `workers` says whether this process's OCR workers have started yet (`none` in processes without workers). 503 `OCRFLOW_ERR_NOT_READY` while starting, `OCRFLOW_ERR_STORAGE_UNAVAILABLE` when the data directory cannot be written (`details.storage` says why).",
        tags: ['service'],
        response: {
          200: {
            type: 'object',
            properties: { ready: { type: 'boolean' }, storage: { type: 'string' }, workers: { type: 'string', enum: ['ok', 'starting', 'none'] } },
          },
          ...errorResponses,
        },
      },
    },
    async () => health.ready(),
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['service'] } }, async (_req, reply) => {
    reply.type(metrics.contentType);
    return metrics.text();
  });
};
