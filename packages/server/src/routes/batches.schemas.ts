/** JSON schemas of the batch API (validation, serialisation and the OpenAPI document, like `jobs.schemas.ts`). */
import { JOB_STATUSES } from '../ports/job.types.ts';
import { BATCH_EVENT_TYPES, BATCH_STATES } from '../ports/batch-store.port.ts';
import { submitFieldsSchema } from './jobs.schemas.ts';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const isoTime = { type: 'string', format: 'date-time' };
const counts = { type: 'object', properties: Object.fromEntries(JOB_STATUSES.map((s) => [s, { type: 'integer' }])) };

export const batchSchema = {
  $id: 'Batch',
  type: 'object',
  required: ['id', 'state', 'total', 'counts', 'ended', 'pages_done', 'pages_total', 'created_at', 'links'],
  properties: {
    id: { type: 'string', description: 'ULID; sorts by creation time' },
    batch_id: nullable({ type: 'string' }),
    state: {
      type: 'string',
      enum: BATCH_STATES,
      description: '`creating` while its documents are written, `open`, `ended` once every document finished, failed or was canceled',
    },
    total: { type: 'integer' },
    counts: { ...counts, description: 'Documents by job status' },
    ended: { type: 'integer', description: 'Documents finished, failed or canceled' },
    pages_done: { type: 'integer' },
    pages_total: { type: 'integer' },
    webhook_url: nullable({ type: 'string' }),
    created_at: isoTime,
    ended_at: nullable(isoTime),
    last_seq: { type: 'integer' },
    links: {
      type: 'object',
      properties: {
        self: { type: 'string' },
        events: { type: 'string' },
        documents: { type: 'string' },
        results: { type: 'string' },
        cancel: { type: 'string' },
      },
    },
  },
} as const;

export const batchDocumentSchema = {
  $id: 'BatchDocument',
  type: 'object',
  required: ['position', 'job_id'],
  properties: { position: { type: 'integer', description: '1-based, in submission order' }, job_id: { type: 'string' }, task_id: nullable({ type: 'string' }) },
} as const;

export const batchEventSchema = {
  $id: 'BatchEvent',
  type: 'object',
  required: ['seq', 'type', 'batch_id', 'time'],
  additionalProperties: true,
  description:
    '`created` (total); `document_ended` (job_id, task_id, position, status, ended, total) each time a document finishes, fails or is canceled; `ended` (counts) once.',
  properties: {
    seq: { type: 'integer', description: 'Per batch, 1, 2, 3, … without gaps' },
    type: { type: 'string', enum: BATCH_EVENT_TYPES },
    batch_id: { type: 'string' },
    time: isoTime,
  },
} as const;

export const BATCH_SCHEMAS = [batchSchema, batchDocumentSchema, batchEventSchema];

const { task_id: _taskId, webhook_events: _events, ...sharedFields } = submitFieldsSchema;
const batchFields = {
  batch_id: {
    type: 'string',
    maxLength: 255,
    description: 'Your id for the batch; the same documents and options again return the same batch (200), different ones get 409',
  },
  task_ids: {
    anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', maxLength: 255 } }],
    description: 'One task_id per document, in order (a JSON array, or comma-separated); default `<batch_id>#<position>` when batch_id is given',
  },
  ...sharedFields,
  webhook_url: { type: 'string', maxLength: 2048, description: 'Called once, when every document has ended' },
} as const;

export const jsonBatchBody = {
  type: 'object',
  required: ['file_paths'],
  properties: {
    file_paths: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1, maxLength: 4096 },
      description: 'Absolute paths under OCRFLOW_INPUT_DIRS',
    },
    ...batchFields,
  },
} as const;

export const multipartBatchBody = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'The documents, each a part named "file"' }, ...batchFields },
} as const;

export const batchIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 255, description: 'The batch id, or your batch_id' } },
} as const;

export const createdBatchResponse = {
  type: 'object',
  required: ['batch', 'documents'],
  properties: { batch: { $ref: 'Batch#' }, documents: { type: 'array', items: { $ref: 'BatchDocument#' } } },
} as const;
