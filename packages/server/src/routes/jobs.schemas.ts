/**
 * JSON schemas of the job API. Fastify validates requests and serialises responses with them,
 * and @fastify/swagger turns them into the OpenAPI document at /openapi.json — one source.
 */
import { ENGINE_NAMES, ERROR_CODES } from '@ocrflow/core';
import { JOB_EVENT_TYPES, JOB_STATUSES } from '../ports/job.types.ts';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const isoTime = { type: 'string', format: 'date-time' };

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error answer: a stable machine code (see errors.ts) and a message for people.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

export const jobSchema = {
  $id: 'Job',
  type: 'object',
  required: ['id', 'status', 'engine', 'mode', 'languages', 'page_count', 'done_pages', 'attempts', 'created_at', 'links'],
  properties: {
    id: { type: 'string', description: 'ULID; sorts by creation time' },
    task_id: nullable({ type: 'string' }),
    status: { type: 'string', enum: JOB_STATUSES },
    engine: { type: 'string' },
    mode: { type: 'string', enum: ['layout', 'text'] },
    languages: { type: 'array', items: { type: 'string' } },
    prompt: nullable({ type: 'string' }),
    webhook_url: nullable({ type: 'string' }),
    filename: nullable({ type: 'string' }),
    mime: { type: 'string' },
    size_bytes: { type: 'integer' },
    page_count: { type: 'integer' },
    done_pages: { type: 'integer' },
    queue_position: nullable({ type: 'integer', description: '1-based, while queued' }),
    priority: { type: 'integer', description: 'From -10 to 10: higher runs sooner' },
    error: nullable({ type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }),
    attempts: { type: 'integer', description: 'Times a worker started the job' },
    metrics: { type: 'object', additionalProperties: true, description: 'Per-stage timings (ms)' },
    cells_to_check: nullable({
      type: 'integer',
      description: 'Finished jobs: table cells whose confidence is below the review threshold (OCRFLOW_REVIEW_THRESHOLD); null before',
    }),
    created_at: isoTime,
    queued_at: isoTime,
    started_at: nullable(isoTime),
    finished_at: nullable(isoTime),
    updated_at: isoTime,
    result_url: nullable({ type: 'string' }),
    links: {
      type: 'object',
      properties: { self: { type: 'string' }, events: { type: 'string' }, result: { type: 'string' }, cancel: { type: 'string' }, retry: { type: 'string' } },
    },
  },
} as const;

export const eventSchema = {
  $id: 'JobEvent',
  type: 'object',
  required: ['seq', 'type', 'job_id', 'status', 'time'],
  additionalProperties: true,
  description:
    'One job event. `running` events carry `phase` (started|page), `page` (1-based), `done_pages`, `total_pages`; `queued` carries `reason`; `failed` carries `error`.',
  properties: {
    seq: { type: 'integer', description: 'Per job, 1, 2, 3, … without gaps' },
    type: { type: 'string', enum: JOB_EVENT_TYPES },
    job_id: { type: 'string' },
    status: { type: 'string', enum: JOB_STATUSES },
    time: isoTime,
  },
} as const;

export const SHARED_SCHEMAS = [errorSchema, jobSchema, eventSchema];

const errorRef = { $ref: 'Error#' };
/** Error answers every route may give. */
export const errorResponses = { '4xx': errorRef, '5xx': errorRef };

export const submitFieldsSchema = {
  task_id: {
    type: 'string',
    maxLength: 255,
    description: 'Your id for the document; resubmitting the same content returns the same job (200), different content gets 409',
  },
  webhook_url: { type: 'string', maxLength: 2048, description: 'Called when the job ends' },
  webhook_events: {
    anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', enum: ['finished', 'failed', 'canceled', 'progress'] } }],
    description: 'Events sent to webhook_url: finished, failed, canceled, progress (comma-separated or an array); default finished,failed,canceled',
  },
  engine: { type: 'string', enum: ENGINE_NAMES },
  languages: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'e.g. "ch,en"' },
  mode: { type: 'string', enum: ['layout', 'text'] },
  prompt: { type: 'string', maxLength: 8000, description: 'For the vlm engine' },
  straighten: {
    anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', '1', '0'] }],
    description:
      'Find the sheet in a photo and straighten it before reading (perspective, bending, uneven light); default OCRFLOW_STRAIGHTEN. Scans and PDFs are never changed',
  },
  priority: {
    anyOf: [
      { type: 'integer', minimum: -10, maximum: 10 },
      { type: 'string', pattern: '^\\s*[+-]?\\d+\\s*$' },
    ],
    description: 'From -10 to 10, default 0: higher runs sooner; equal priorities run oldest first',
  },
} as const;

export const jsonSubmitBody = {
  type: 'object',
  required: ['file_path'],
  properties: {
    file_path: { type: 'string', minLength: 1, maxLength: 4096, description: 'Absolute path under one of OCRFLOW_INPUT_DIRS' },
    ...submitFieldsSchema,
  },
} as const;

export const multipartSubmitBody = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'string', format: 'binary', description: 'The document: PNG, JPEG, WebP, TIFF, BMP or PDF' }, ...submitFieldsSchema },
} as const;

export const jobIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
