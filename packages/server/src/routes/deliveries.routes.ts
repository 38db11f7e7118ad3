/** `GET /v1/jobs/{id}/deliveries` and `POST /v1/jobs/{id}/deliveries/redeliver`: the webhook log of a job and manual resends. */
import type { FastifyPluginAsync } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import { callerOf } from '../http/caller.ts';
import type { WebhooksService } from '../services/webhooks.service.ts';
import { errorResponses, jobIdParams } from './jobs.schemas.ts';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });

export const deliverySchema = {
  type: 'object',
  description:
    'One webhook event for one target URL, with every attempt. `webhook_id` is the Standard Webhooks message id: the same on every retry and redelivery of the event.',
  properties: {
    id: { type: 'string' },
    webhook_id: { type: 'string' },
    type: { type: 'string', enum: ['job.finished', 'job.failed', 'job.canceled', 'job.progress'] },
    event_seq: { type: 'integer' },
    url: { type: 'string' },
    source: { type: 'string', enum: ['job', 'global', 'redeliver'] },
    state: { type: 'string', enum: ['pending', 'sending', 'delivered', 'dead'] },
    attempt_count: { type: 'integer' },
    next_attempt_at: nullable({ type: 'string', format: 'date-time' }),
    last_status: nullable({ type: 'integer' }),
    last_error: nullable({ type: 'string' }),
    created_at: { type: 'string', format: 'date-time' },
    delivered_at: nullable({ type: 'string', format: 'date-time' }),
    redelivery_of: nullable({ type: 'string' }),
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          n: { type: 'integer' },
          at: { type: 'string', format: 'date-time' },
          http_status: nullable({ type: 'integer' }),
          latency_ms: { type: 'number' },
          error: nullable({ type: 'string' }),
          response_excerpt: nullable({ type: 'string', description: 'Start of the answer (at most 1024 characters)' }),
        },
      },
    },
  },
} as const;

const listAnswer = { type: 'object', required: ['deliveries'], properties: { deliveries: { type: 'array', items: deliverySchema } } };

export interface DeliveriesRoutesOptions {
  /** Absent where webhooks are not set up. */
  webhooks: WebhooksService | undefined;
}

export const deliveriesRoutes: FastifyPluginAsync<DeliveriesRoutesOptions> = async (app, options) => {
  const webhooks = () => {
    if (!options.webhooks) throw new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Webhooks are not set up in this process');
    return options.webhooks;
  };

  app.get(
    '/jobs/:id/deliveries',
    {
      schema: {
        summary: 'Webhook deliveries of a job, each with its attempts',
        tags: ['webhooks'],
        params: jobIdParams,
        response: { 200: listAnswer, ...errorResponses },
      },
    },
    async (req) => ({ deliveries: await webhooks().list(callerOf(req), (req.params as { id: string }).id) }),
  );

  app.post(
    '/jobs/:id/deliveries/redeliver',
    {
      schema: {
        summary: 'Send the terminal event of a job again, now',
        description:
          'Creates a new delivery per target that had one for the terminal event (dead ones included), or per current target when none had, due at once. 409 while the job is not finished, failed or canceled, or when it has no webhook target.',
        tags: ['webhooks'],
        params: jobIdParams,
        response: { 202: listAnswer, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(202).send({ deliveries: await webhooks().redeliver(callerOf(req), (req.params as { id: string }).id) }),
  );
};
