/** JSON schemas of the workbench API: request validation, response serialisation and the OpenAPI document. */
import { TASK_STATUSES } from '../ports/task-store.port.ts';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const isoTime = { type: 'string', format: 'date-time' };

export const taskSchema = {
  type: 'object',
  required: ['id', 'filename', 'mime', 'size_bytes', 'status', 'error_message', 'ocr_job_id', 'page_count', 'table_count', 'workbook_version', 'created_at', 'updated_at', 'transitions'],
  properties: {
    id: { type: 'string', description: '`tsk_` + ULID; sorts by creation time' },
    filename: { type: 'string', description: 'The uploaded file name (UTF-8); downloads are named after it' },
    mime: { type: 'string' },
    size_bytes: { type: 'integer' },
    status: { type: 'string', enum: TASK_STATUSES },
    error_message: nullable({ type: 'string' }),
    ocr_job_id: nullable({ type: 'string' }),
    page_count: nullable({ type: 'integer' }),
    table_count: nullable({ type: 'integer' }),
    workbook_version: nullable({ type: 'integer', description: 'Latest workbook version' }),
    created_at: isoTime,
    updated_at: { ...isoTime, description: 'Strictly increasing per task: pass it as `since` to the long-poll' },
    transitions: {
      type: 'array',
      items: { type: 'object', required: ['status', 'at'], properties: { status: { type: 'string', enum: TASK_STATUSES }, at: isoTime } },
    },
  },
} as const;

const cellSchema = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] };

export const sheetSchema = {
  type: 'object',
  required: ['name', 'rows', 'merges'],
  properties: {
    name: { type: 'string' },
    rows: { type: 'array', items: { type: 'array', items: cellSchema } },
    merges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['row', 'col', 'row_span', 'col_span'],
        properties: { row: { type: 'integer' }, col: { type: 'integer' }, row_span: { type: 'integer' }, col_span: { type: 'integer' } },
      },
    },
  },
} as const;

export const tablesSchema = {
  type: 'object',
  required: ['version', 'versions', 'sheets'],
  properties: {
    version: { type: 'integer' },
    versions: {
      type: 'array',
      items: { type: 'object', required: ['version', 'created_at', 'source'], properties: { version: { type: 'integer' }, created_at: isoTime, source: { type: 'string', enum: ['ocr', 'edit'] } } },
    },
    sheets: { type: 'array', items: sheetSchema },
  },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['ok', 'ocr_service', 'queue_len', 'worker_alive', 'message', 'max_upload_mb', 'auth_required'],
  properties: {
    ok: { type: 'boolean' },
    ocr_service: { type: 'string', description: '"embedded" or the remote service URL' },
    queue_len: nullable({ type: 'integer' }),
    worker_alive: { type: 'boolean' },
    message: { type: 'string', description: 'A plain sentence for people' },
    max_upload_mb: { type: 'number', description: 'OCRFLOW_WORKBENCH_MAX_UPLOAD_MB' },
    auth_required: { type: 'boolean', description: 'OCRFLOW_TOKENS is set: every other workbench route needs a sign-in (session cookie) or a Bearer token' },
  },
} as const;

export const taskIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export const versionQuery = { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } } as const;

/** Free-form JSON documents (the OCR document, the analysis) inside the envelope. */
export const anyObject = { type: 'object', additionalProperties: true } as const;
