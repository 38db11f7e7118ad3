/**
 * The workbench's answer shape, `{success, message, data}` — errors included (`data: null` plus
 * the stable `code`), with the proper HTTP status. The error and not-found handlers are scoped to
 * the `/api/v1` plugin, so the service API (`/v1`) keeps its own `{error: {code, message}}` shape.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, OcrflowError } from '@ocrflow/core';
import { toOcrflowError } from '../http/errors.handler.ts';

export interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
  code?: string;
  details?: Record<string, unknown>;
}

export const ok = <T>(data: T, message = 'ok'): Envelope<T> => ({ success: true, message, data });

export function sendEnvelopeError(reply: FastifyReply, e: OcrflowError): FastifyReply {
  const retry = e.details?.retry_after_s;
  if (typeof retry === 'number') reply.header('Retry-After', String(retry));
  const body: Envelope<null> = { success: false, message: e.message, data: null, code: e.code, ...(e.details ? { details: e.details } : {}) };
  return reply.code(e.status).type('application/json; charset=utf-8').send(body);
}

export function installEnvelopeHandlers(scope: FastifyInstance): void {
  scope.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const known = toOcrflowError(err);
    if (known) {
      if (known.status >= 500) req.log.error({ err }, known.message);
      else req.log.info({ code: known.code }, known.message);
      return sendEnvelopeError(reply, known);
    }
    req.log.error({ err }, 'unhandled error');
    return sendEnvelopeError(reply, new OcrflowError('OCRFLOW_ERR_INTERNAL'));
  });
  scope.setNotFoundHandler((req, reply) => sendEnvelopeError(reply, new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`)));
}

/** An answer with the envelope around `data` (for the OpenAPI document and the serializer). */
export const envelope = (data: Record<string, unknown>, description?: string) => ({
  type: 'object',
  ...(description ? { description } : {}),
  required: ['success', 'message', 'data'],
  properties: { success: { type: 'boolean' }, message: { type: 'string' }, data },
});

export const errorEnvelope = {
  type: 'object',
  description: 'Every error: `success: false`, a message for people, `data: null` and a stable code (errors.ts).',
  required: ['success', 'message', 'data', 'code'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    message: { type: 'string' },
    data: { type: 'null' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const envelopeErrors = { '4xx': errorEnvelope, '5xx': errorEnvelope };
