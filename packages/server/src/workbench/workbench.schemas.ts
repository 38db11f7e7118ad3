/** JSON schemas of the workbench API: request validation, response serialisation and the OpenAPI document. */
import { TASK_STATUSES } from '../ports/task-store.port.ts';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const isoTime = { type: 'string', format: 'date-time', description: 'RFC 3339 with a numeric offset (`+00:00`)' };

export const taskSchema = {
  type: 'object',
  required: [
    'id',
    'task_id',
    'filename',
    'mime',
    'size_bytes',
    'status',
    'error_message',
    'ocr_job_id',
    'page_count',
    'table_count',
    'cells_to_check',
    'workbook_version',
    'image_path',
    'ocr_json_path',
    'excel_path',
    'created_at',
    'updated_at',
    'transitions',
  ],
  properties: {
    id: { type: 'string', description: '`tsk_` + ULID; sorts by creation time' },
    task_id: { type: 'string', description: "The same as `id` (the name the image-to-Excel app's clients read)" },
    filename: { type: 'string', description: 'The uploaded file name (UTF-8); downloads are named after it' },
    mime: { type: 'string' },
    size_bytes: { type: 'integer' },
    status: { type: 'string', enum: TASK_STATUSES },
    error_message: nullable({ type: 'string' }),
    ocr_job_id: nullable({ type: 'string' }),
    page_count: nullable({ type: 'integer' }),
    table_count: nullable({ type: 'integer' }),
    cells_to_check: nullable({
      type: 'integer',
      description: 'Table cells to check: confidence below the review threshold, neither edited nor confirmed (latest version)',
    }),
    workbook_version: nullable({ type: 'integer', description: 'Latest stored workbook version; null until the workbook is first generated or saved' }),
    image_path: { type: 'string', description: 'API URL of the uploaded file' },
    ocr_json_path: nullable({ type: 'string', description: 'API URL of the OCR document JSON, once OCR is done' }),
    excel_path: nullable({ type: 'string', description: 'API URL of the workbook download, once it has been generated' }),
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
    review: {
      type: 'array',
      description:
        'Cells to check: OCR confidence below the review threshold. The workbench drops a mark when a person edits or confirms the cell; saved with the version.',
      items: {
        type: 'object',
        required: ['row', 'col', 'confidence'],
        properties: { row: { type: 'integer' }, col: { type: 'integer' }, confidence: { type: 'number' } },
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
      items: {
        type: 'object',
        required: ['version', 'created_at', 'source'],
        properties: { version: { type: 'integer' }, created_at: isoTime, source: { type: 'string', enum: ['ocr', 'edit'] } },
      },
    },
    sheets: { type: 'array', items: sheetSchema },
  },
} as const;

/** `POST /ocr/start` and `POST /ocr/poll`: the task plus a sentence about its OCR. */
export const ocrStepSchema = {
  ...taskSchema,
  required: [...taskSchema.required, 'message'],
  properties: { ...taskSchema.properties, message: { type: 'string', description: 'What the state means for OCR, in a sentence' } },
} as const;

const gridCellSchema = {
  type: 'object',
  required: ['text', 'rowspan', 'colspan', 'is_header'],
  properties: {
    text: { type: 'string', description: 'Empty in the positions a merged cell covers' },
    rowspan: { type: 'integer', minimum: 1 },
    colspan: { type: 'integer', minimum: 1 },
    is_header: { type: 'boolean', description: 'The first row (styled as the header in the workbook)' },
  },
} as const;

/** The image-to-Excel app's table shape (`/table/data`, `/table/save`): full cell grids, one per sheet. */
export const tableDataSchema = {
  type: 'object',
  required: ['task_id', 'status', 'total_sheets', 'sheets'],
  properties: {
    task_id: { type: 'string' },
    status: { type: 'string', enum: TASK_STATUSES },
    total_sheets: { type: 'integer' },
    version: { type: 'integer', description: 'The workbook version the grids come from (additive)' },
    sheets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sheet_id', 'sheet_name', 'rows', 'cols', 'data'],
        properties: {
          sheet_id: { type: 'integer', description: '1-based position' },
          sheet_name: { type: 'string' },
          rows: { type: 'integer' },
          cols: { type: 'integer' },
          data: {
            type: 'array',
            description: 'rows × cols cells: a merged cell once at its top-left with its spans, covered positions empty with span 1',
            items: { type: 'array', items: gridCellSchema },
          },
        },
      },
    },
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
