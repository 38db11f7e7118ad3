/**
 * Every error leaves as `{ error: { code, message } }` with a code from `@ocrflow/core` errors.ts.
 * Framework errors (validation, bad JSON, body limits, multipart limits) are mapped to our codes;
 * anything unexpected becomes OCRFLOW_ERR_INTERNAL with a generic message — the stack goes to the
 * log, never to the client (docling-serve's public_errors habit).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, OcrflowError, isOcrflowError, type ErrorCode } from '@ocrflow/core';

/** Fastify and @fastify/multipart codes we translate. */
const FRAMEWORK_CODES: Record<string, { code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'OCRFLOW_ERR_BAD_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'OCRFLOW_ERR_BAD_JSON', message: 'The request body is empty but its Content-Type is application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'OCRFLOW_ERR_PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'OCRFLOW_ERR_UNSUPPORTED_MEDIA', message: 'Unsupported Content-Type: send multipart/form-data or application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'OCRFLOW_ERR_VALIDATION', message: 'The Content-Length does not match the body' },
  FST_REQ_FILE_TOO_LARGE: { code: 'OCRFLOW_ERR_PAYLOAD_TOO_LARGE' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { code: 'OCRFLOW_ERR_VALIDATION', message: 'The request is not multipart/form-data' },
  FST_FILES_LIMIT: { code: 'OCRFLOW_ERR_VALIDATION', message: 'Send exactly one file, in the field "file"' },
  FST_PARTS_LIMIT: { code: 'OCRFLOW_ERR_VALIDATION', message: 'Too many multipart parts' },
  FST_FIELDS_LIMIT: { code: 'OCRFLOW_ERR_VALIDATION', message: 'Too many multipart fields' },
  FST_PROTO_VIOLATION: { code: 'OCRFLOW_ERR_VALIDATION', message: 'Forbidden multipart field name' },
};

export function toOcrflowError(err: unknown): OcrflowError | null {
  if (isOcrflowError(err)) return err as OcrflowError;
  const fe = err as FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (fe?.validation) {
    const first = fe.validation[0];
    const where = `${fe.validationContext ?? 'request'}${first?.instancePath ? first.instancePath.replace(/\//g, '.') : ''}`;
    const field = (first?.params?.missingProperty as string | undefined) ?? first?.instancePath?.split('/').pop();
    return new OcrflowError('OCRFLOW_ERR_VALIDATION', `${where} ${first?.message ?? 'is invalid'}`.trim(), field ? { field } : undefined);
  }
  const mapped = fe?.code ? FRAMEWORK_CODES[fe.code] : undefined;
  if (mapped) return new OcrflowError(mapped.code, mapped.message ?? ERROR_CODES[mapped.code].message);
  // A JSON body that fails to parse arrives as a SyntaxError with statusCode 400.
  if (err instanceof SyntaxError && (fe as { statusCode?: number }).statusCode === 400) return new OcrflowError('OCRFLOW_ERR_BAD_JSON');
  return null;
}

/**
 * The body of an error in one face of the API (it may set headers too): the native
 * `{error: {code, message}}` by default; the workbench's envelope and the DeepSeek-OCR-Web shape
 * are the others. Status, `Retry-After` and logging are the same for every face.
 */
export type ErrorFace = (e: OcrflowError, reply: FastifyReply) => unknown;

const nativeFace: ErrorFace = (e, reply) => {
  if (e.code === 'OCRFLOW_ERR_UNAUTHORIZED') reply.header('WWW-Authenticate', 'Bearer');
  return e.toJSON();
};

export function sendError(reply: FastifyReply, e: OcrflowError, face: ErrorFace = nativeFace): FastifyReply {
  const retry = e.details?.retry_after_s;
  if (typeof retry === 'number') reply.header('Retry-After', String(retry));
  return reply.code(e.status).type('application/json; charset=utf-8').send(face(e, reply));
}

/**
 * The error handler of `scope` (the app, or a plugin with its own face), and its not-found handler
 * unless `notFound` is false (a plugin without a prefix of its own cannot have one).
 */
export function installErrorHandlers(scope: FastifyInstance, face: ErrorFace = nativeFace, notFound = true): void {
  scope.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const known = toOcrflowError(err);
    if (known) {
      // Expected outcomes (bad input, not ready, engine down) are logged without a stack; only
      // unexpected errors below get the full error object at level error.
      if (known.status >= 500) req.log.warn({ code: known.code, cause: (known.cause as Error | undefined)?.message }, known.message);
      else req.log.info({ code: known.code }, known.message);
      return sendError(reply, known, face);
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(reply, new OcrflowError('OCRFLOW_ERR_INTERNAL'), face);
  });
  if (notFound)
    scope.setNotFoundHandler((req, reply) =>
      sendError(reply, new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}`), face),
    );
}
