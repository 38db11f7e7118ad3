/**
 * One HTTP request to a remote model endpoint (an OpenAI-compatible VLM or LLM, a PaddleOCR
 * service), with a per-attempt time-out and retries with back-off (`backoffDelay`) on 408/429/5xx,
 * time-outs and dropped connections (`Retry-After` honoured), and errors people can act on:
 * - the endpoint could not be reached at all → OCRFLOW_ERR_ENGINE_UNAVAILABLE;
 * - it answered with an error, garbage, or not in time → OCRFLOW_ERR_ENGINE_FAILED with its message.
 * The error's `details` say which (`reason`: `timeout` or the network code, or `status` with the
 * endpoint's own `answer`), so a caller that reports failures its own way can word them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy } from '../backoff.ts';
import { OcrflowError } from '../errors.ts';

/** How often and how patiently to retry (the waits: `backoffDelay`). */
export interface RetryPolicy extends BackoffPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** The human part of an error answer: OpenAI `{error:{message}}`, FastAPI `{detail}`, or the text. */
export function endpointMessage(body: string, max = 300): string {
  const t = body.trim();
  try {
    const j = JSON.parse(t) as Record<string, unknown>;
    const e = j.error;
    const candidates: unknown[] = [e && typeof e === 'object' ? (e as { message?: unknown }).message : e, j.detail, j.message, j.error_message, j.errorMsg];
    for (const m of candidates) {
      if (typeof m === 'string' && m.trim()) return m.trim().slice(0, max);
      if (m !== undefined && m !== null && typeof m === 'object') return JSON.stringify(m).slice(0, max);
    }
  } catch {
    // Not JSON: the text itself, tags dropped.
  }
  const plain = t
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain ? (plain.length > max ? `${plain.slice(0, max)}…` : plain) : '(empty answer)';
}

/** Connection could not be established: the endpoint is down or the URL is wrong. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function networkCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return 'ERR_NETWORK';
}

export interface RemoteRequest {
  /** For messages: `the vlm endpoint http://gpu:8000/v1`. */
  endpoint: string;
  url: string;
  /** Called per attempt: bodies such as FormData are rebuilt for each one. */
  init: () => RequestInit;
  timeoutMs: number;
  retry: RetryPolicy;
  signal?: AbortSignal;
}

export interface RemoteResponse {
  status: number;
  headers: Headers;
  body: string;
  attempts: number;
}

type Failure =
  | { kind: 'status'; status: number; message: string; retryAfterMs?: number }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string; message: string };

function canceled(req: RemoteRequest): OcrflowError {
  return new OcrflowError('OCRFLOW_ERR_CANCELED', `Canceled while waiting for ${req.endpoint}`, undefined, { cause: req.signal?.reason });
}

function toError(req: RemoteRequest, f: Failure, attempts: number): OcrflowError {
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  const details = { endpoint: req.url, attempts };
  if (f.kind === 'timeout')
    return new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${req.endpoint} did not answer within ${req.timeoutMs} ms${tries}`, {
      ...details,
      reason: 'timeout',
    });
  if (f.kind === 'network') {
    const code = UNREACHABLE.has(f.code) ? 'OCRFLOW_ERR_ENGINE_UNAVAILABLE' : 'OCRFLOW_ERR_ENGINE_FAILED';
    const what = code === 'OCRFLOW_ERR_ENGINE_UNAVAILABLE' ? 'is not reachable' : 'dropped the connection';
    return new OcrflowError(code, `${req.endpoint} ${what} (${f.code}: ${f.message})${tries}`, { ...details, reason: f.code, answer: f.message });
  }
  return new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${req.endpoint} answered HTTP ${f.status}: ${f.message}${tries}`, {
    ...details,
    status: f.status,
    answer: f.message,
  });
}

function retryable(f: Failure): boolean {
  return f.kind !== 'status' || f.status === 408 || f.status === 429 || f.status >= 500;
}

/** One request with retries; resolves with a 2xx answer or throws an OcrflowError (see header). */
export async function remoteRequest(req: RemoteRequest): Promise<RemoteResponse> {
  let last: Failure = { kind: 'timeout' };
  for (let attempt = 0; attempt <= req.retry.maxRetries; attempt++) {
    if (req.signal?.aborted) throw canceled(req);
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    try {
      const res = await fetch(req.url, { ...req.init(), signal });
      const body = await res.text();
      if (res.ok) return { status: res.status, headers: res.headers, body, attempts: attempt + 1 };
      last = { kind: 'status', status: res.status, message: endpointMessage(body), retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) };
    } catch (e) {
      if (req.signal?.aborted) throw canceled(req);
      if (timeout.aborted) last = { kind: 'timeout' };
      else last = { kind: 'network', code: networkCode(e), message: (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message };
    }
    if (!retryable(last) || attempt === req.retry.maxRetries) throw toError(req, last, attempt + 1);
    const wait = backoffDelay(attempt, req.retry, last.kind === 'status' ? last.retryAfterMs : undefined);
    try {
      await sleep(wait, undefined, req.signal ? { signal: req.signal } : undefined);
    } catch {
      throw canceled(req);
    }
  }
  throw toError(req, last, req.retry.maxRetries + 1);
}

/** Parse a JSON answer or fail with ENGINE_FAILED (`reason: not_json`) quoting what came back. */
export function parseJsonAnswer(endpoint: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} answered with something that is not JSON: ${endpointMessage(body, 200)}`, {
      reason: 'not_json',
    });
  }
}
