/**
 * The one list of ocrflow error codes (after fastify's lib/errors.js and BullMQ's ErrorCode):
 * every route, the worker, the SDK and the CLI use these. A code is never reused or renamed once
 * shipped; add new ones at the end of their group. The HTTP status is part of the contract.
 */
export const ERROR_CODES = {
  // 400: the request itself is malformed
  OCRFLOW_ERR_VALIDATION: { status: 400, message: 'The request is invalid' },
  OCRFLOW_ERR_BAD_JSON: { status: 400, message: 'The request body is not valid JSON' },
  OCRFLOW_ERR_MISSING_FILE: { status: 400, message: 'No file was uploaded' },
  OCRFLOW_ERR_EMPTY_FILE: { status: 400, message: 'The uploaded file is empty' },
  OCRFLOW_ERR_WEBHOOK_URL_REFUSED: { status: 400, message: 'The webhook URL is not allowed' },
  OCRFLOW_ERR_NOT_REGULAR_FILE: { status: 400, message: 'The path is not a regular file' },
  // 401/403: who may do what
  OCRFLOW_ERR_UNAUTHORIZED: { status: 401, message: 'A valid Bearer token is required' },
  OCRFLOW_ERR_FORBIDDEN_PATH: { status: 403, message: 'The file path is outside the configured input directories' },
  OCRFLOW_ERR_BAD_SIGNATURE: { status: 401, message: 'The webhook signature is invalid' },
  OCRFLOW_ERR_CSRF: { status: 403, message: 'A change made with the session cookie must carry the header X-Requested-With: ocrflow' },
  // 404
  OCRFLOW_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  OCRFLOW_ERR_JOB_NOT_FOUND: { status: 404, message: 'No job with this id' },
  OCRFLOW_ERR_TASK_NOT_FOUND: { status: 404, message: 'No task with this id' },
  OCRFLOW_ERR_BATCH_NOT_FOUND: { status: 404, message: 'No batch with this id' },
  OCRFLOW_ERR_FILE_NOT_FOUND: { status: 404, message: 'The file does not exist' },
  // 409: state conflicts
  OCRFLOW_ERR_TASK_ID_CONFLICT: { status: 409, message: 'A job with this task_id exists with different content' },
  OCRFLOW_ERR_INVALID_STATE: { status: 409, message: 'The operation is not allowed in the current state' },
  OCRFLOW_ERR_RESULT_NOT_READY: { status: 409, message: 'The result is not ready yet' },
  OCRFLOW_ERR_BATCH_ID_CONFLICT: { status: 409, message: 'A batch with this batch_id exists with different content' },
  // 413/415/422: the document
  OCRFLOW_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The upload exceeds the size limit' },
  OCRFLOW_ERR_UNSUPPORTED_MEDIA: { status: 415, message: 'The file type is not supported' },
  OCRFLOW_ERR_IMAGE_TOO_LARGE: { status: 422, message: 'The image has too many pixels' },
  OCRFLOW_ERR_CORRUPT_FILE: { status: 422, message: 'The file is corrupt or truncated' },
  OCRFLOW_ERR_UNSUPPORTED_FORMAT: { status: 400, message: 'The requested output format is not supported' },
  OCRFLOW_ERR_INVALID_SHEETS: { status: 422, message: 'The edited sheets are malformed' },
  OCRFLOW_ERR_TOO_MANY_PAGES: { status: 422, message: 'The document has more pages than allowed' },
  // 429/5xx: capacity and dependencies
  OCRFLOW_ERR_QUEUE_FULL: { status: 429, message: 'The job queue is full; retry later' },
  OCRFLOW_ERR_TOO_MANY_ATTEMPTS: { status: 429, message: 'Too many wrong tokens or failed sign-ins from this address; retry later' },
  OCRFLOW_ERR_TOO_MANY_STREAMS: { status: 429, message: 'Too many open long-polls or event streams; retry later' },
  OCRFLOW_ERR_INTERNAL: { status: 500, message: 'Internal error' },
  OCRFLOW_ERR_ENGINE_FAILED: { status: 502, message: 'The OCR engine failed' },
  OCRFLOW_ERR_ENGINE_UNAVAILABLE: { status: 503, message: 'The OCR engine is not available' },
  OCRFLOW_ERR_OCR_SERVICE_UNAVAILABLE: { status: 503, message: 'The OCR service is not reachable' },
  OCRFLOW_ERR_NOT_READY: { status: 503, message: 'The service is not ready' },
  OCRFLOW_ERR_TIMEOUT: { status: 504, message: 'The operation timed out' },
  OCRFLOW_ERR_STORAGE_UNAVAILABLE: { status: 503, message: 'The data directory cannot be written' },
  // Job outcomes (not HTTP answers, but stable codes in job.error)
  OCRFLOW_ERR_CANCELED: { status: 409, message: 'The job was canceled' },
  OCRFLOW_ERR_WORKER_CRASHED: { status: 500, message: 'The worker running the job stopped unexpectedly' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error answer of the native API. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: Record<string, unknown>;
  };
}

/**
 * An error that is safe to show to clients: its message is written for people and its code is
 * stable. Anything else that reaches a route becomes OCRFLOW_ERR_INTERNAL with a generic message
 * (the stack goes to the log only).
 */
export class OcrflowError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, options);
    this.name = 'OcrflowError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function isOcrflowError(e: unknown): e is OcrflowError {
  return (
    e instanceof OcrflowError ||
    (typeof e === 'object' &&
      e !== null &&
      (e as { name?: string }).name === 'OcrflowError' &&
      typeof (e as { code?: unknown }).code === 'string' &&
      (e as { code: string }).code in ERROR_CODES)
  );
}

/** Serialisable form of an error, for job records and messages between threads. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function serializeError(e: unknown): SerializedError {
  if (isOcrflowError(e)) return { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
  return { code: 'OCRFLOW_ERR_INTERNAL', message: ERROR_CODES.OCRFLOW_ERR_INTERNAL.message };
}

export function deserializeError(s: SerializedError): OcrflowError {
  return new OcrflowError(s.code in ERROR_CODES ? s.code : 'OCRFLOW_ERR_INTERNAL', s.message, s.details);
}
