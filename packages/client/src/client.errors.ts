/**
 * Errors of the SDK. Three kinds, because callers react differently to each:
 * - `OcrflowApiError`: the server answered with an error (its stable `code`, HTTP `status` and
 *   message from the JSON body `{error: {code, message, details}}`). Retrying the same request
 *   usually gives the same answer, except for the `retryable` ones (429, 503, 502, 504).
 * - `OcrflowNetworkError`: no answer at all (refused, reset, DNS, TLS, a stream cut mid-way).
 *   The server may come back: `waitFor` and `stream` retry these with back-off.
 * - `OcrflowTimeoutError`: the client's own deadline (`timeoutMs`) passed.
 * All extend `OcrflowClientError`, so one `instanceof` catches every SDK failure.
 */
import type { ApiErrorCode } from './client.types.ts';

export class OcrflowClientError extends Error {
  override name = 'OcrflowClientError';
}

export class OcrflowApiError extends OcrflowClientError {
  override name = 'OcrflowApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;
  /** Seconds from a `Retry-After` header (429 queue full, 503 starting up). */
  readonly retryAfterS?: number;
  readonly method: string;
  readonly url: string;

  constructor(init: {
    code: ApiErrorCode;
    status: number;
    message: string;
    details?: Record<string, unknown>;
    retryAfterS?: number;
    method: string;
    url: string;
  }) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.details = init.details;
    this.retryAfterS = init.retryAfterS;
    this.method = init.method;
    this.url = init.url;
  }

  /** Worth trying again later: the queue is full, the service is starting, or a proxy failed. */
  get retryable(): boolean {
    return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

export class OcrflowNetworkError extends OcrflowClientError {
  override name = 'OcrflowNetworkError';
  readonly method: string;
  readonly url: string;

  constructor(message: string, init: { method: string; url: string; cause?: unknown }) {
    super(message, { cause: init.cause });
    this.method = init.method;
    this.url = init.url;
  }
}

export class OcrflowTimeoutError extends OcrflowClientError {
  override name = 'OcrflowTimeoutError';
  readonly code = 'OCRFLOW_ERR_TIMEOUT';
  readonly timeoutMs: number;
  /** `request`: one HTTP request took too long (transient); `wait`: the whole `waitFor` deadline passed. */
  readonly scope: 'request' | 'wait';

  constructor(message: string, timeoutMs: number, scope: 'request' | 'wait') {
    super(message);
    this.timeoutMs = timeoutMs;
    this.scope = scope;
  }
}

/** A local input could not be read (a path that does not exist, a stream that failed). */
export class OcrflowInputError extends OcrflowClientError {
  override name = 'OcrflowInputError';
  readonly code = 'OCRFLOW_ERR_FILE_NOT_FOUND';
}

/** The webhook signature, timestamp or body did not verify. */
export class OcrflowWebhookError extends OcrflowClientError {
  override name = 'OcrflowWebhookError';
  readonly code = 'OCRFLOW_ERR_BAD_SIGNATURE';
}

/** Errors worth retrying when waiting on a job across restarts and flaky networks. */
export function isTransient(e: unknown): boolean {
  return e instanceof OcrflowNetworkError || (e instanceof OcrflowApiError && e.retryable) || (e instanceof OcrflowTimeoutError && e.scope === 'request');
}

/** A short description of why fetch failed (`fetch failed (ECONNREFUSED)`) from its cause chain. */
export function describeFetchFailure(e: unknown): string {
  const msg = (e as { message?: string })?.message ?? String(e);
  let detail = '';
  let cur = (e as { cause?: unknown })?.cause;
  for (let i = 0; cur && i < 4; i++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof c.code === 'string') {
      detail = c.code;
      break;
    }
    if (typeof c.message === 'string' && c.message) detail = c.message;
    cur = c.cause ?? c.errors?.[0];
  }
  return detail && detail !== msg ? `${msg} (${detail})` : msg;
}
