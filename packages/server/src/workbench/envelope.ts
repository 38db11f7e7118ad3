/**
 * The workbench's answer shape, `{success, message, data}` — errors included (`data: null` plus
 * the stable `code`), with the proper HTTP status. The error and not-found handlers are scoped to
 * the `/api/v1` plugin, so the service API (`/v1`) keeps its own `{error: {code, message}}` shape.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ERROR_CODES, type OcrflowError } from '@ocrflow/core';
import { installErrorHandlers, sendError, type ErrorFace } from '../http/errors.handler.ts';

export interface Envelope<T> {
  success: boolean;
  message: string;
  data: T;
  code?: string;
  details?: Record<string, unknown>;
}

export const ok = <T>(data: T, message = 'ok'): Envelope<T> => ({ success: true, message, data });

const envelopeFace: ErrorFace = (e) =>
  ({ success: false, message: e.message, data: null, code: e.code, ...(e.details ? { details: e.details } : {}) }) satisfies Envelope<null>;

export function sendEnvelopeError(reply: FastifyReply, e: OcrflowError): FastifyReply {
  return sendError(reply, e, envelopeFace);
}

export function installEnvelopeHandlers(scope: FastifyInstance): void {
  installErrorHandlers(scope, envelopeFace);
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
