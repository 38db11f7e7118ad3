/**
 * Client of an existing PaddleOCR (PP-StructureV3 / PaddleOCR-VL) job service:
 *   POST /jobs-from-uploading (multipart `file`, Bearer) → 201 {job_id}
 *   GET  /longpoll/jobs/{id}?since_seq=&timeout_ms=&max_events= → {events, last_seq, done}
 *   GET  /result/json/jobs/{id} → {job_id, final:{status, error_message, …}, pages:[…]}
 * One page image per job. Transient failures of each call are retried (core's remoteRequest); the whole
 * page is bounded by one deadline.
 */
import { OcrflowError, endpointMessage, parseJsonAnswer, remoteRequest, type RetryPolicy } from '@ocrflow/core';

export interface PpStructureBlock {
  block_label?: string;
  block_content?: string;
  block_bbox?: number[];
  block_order?: number | null;
}

export interface PpStructurePage {
  width?: number;
  height?: number;
  parsing_res_list?: PpStructureBlock[];
}

export interface PpStructureResult {
  job_id?: string;
  final?: { status?: string; error_message?: string | null };
  pages?: PpStructurePage[];
}

export interface PpStructureCall {
  baseUrl: string;
  token: string;
  /** The whole page: upload, processing and result. */
  timeoutMs: number;
  retry: RetryPolicy;
  signal?: AbortSignal;
  /** Longest single long-poll wait asked of the service. */
  pollMs?: number;
}

export function ppEndpointName(baseUrl: string): string {
  return `the ppstructure service ${baseUrl.replace(/\/+$/, '')}`;
}

function url(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

function auth(token: string): Record<string, string> {
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

const OK_EVENTS = new Set(['finished', 'succeeded', 'success', 'completed', 'done']);
const BAD_EVENTS = new Set(['failed', 'error', 'canceled', 'cancelled']);

interface PollEvent {
  seq?: number;
  type?: string;
  event?: string;
  status?: string;
  error?: unknown;
  error_message?: string;
  message?: string;
}

function eventType(e: PollEvent): string {
  return String(e.type ?? e.event ?? e.status ?? '').toLowerCase();
}

function eventError(e: PollEvent): string {
  const err = e.error;
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  if (typeof err === 'string' && err) return err;
  return e.error_message || e.message || `the job ended with "${eventType(e)}"`;
}

/** Run one image through the service and return its result JSON. */
export async function runPpStructureJob(image: { data: Buffer; mime: string; filename: string }, c: PpStructureCall): Promise<PpStructureResult> {
  const endpoint = ppEndpointName(c.baseUrl);
  const deadline = Date.now() + c.timeoutMs;
  const remaining = () => deadline - Date.now();
  const overdue = (jobId?: string) =>
    new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} did not finish the page within ${c.timeoutMs} ms${jobId ? ` (job ${jobId})` : ''}`, {
      endpoint: c.baseUrl,
      reason: 'timeout',
      ...(jobId ? { job_id: jobId } : {}),
    });
  const callTimeout = (extra = 0) => Math.max(1, Math.min(60_000 + extra, remaining()));

  const up = await remoteRequest({
    endpoint,
    url: url(c.baseUrl, '/jobs-from-uploading'),
    init: () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(image.data)], { type: image.mime }), image.filename);
      return { method: 'POST', headers: auth(c.token), body: form };
    },
    timeoutMs: callTimeout(),
    retry: c.retry,
    signal: c.signal,
  });
  const created = parseJsonAnswer(endpoint, up.body) as { job_id?: unknown; id?: unknown };
  const jobId = typeof created?.job_id === 'string' ? created.job_id : typeof created?.id === 'string' ? created.id : '';
  if (!jobId) throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} accepted the upload without a job_id: ${endpointMessage(up.body, 200)}`);

  let since = 0;
  for (;;) {
    if (remaining() <= 0) throw overdue(jobId);
    const waitMs = Math.max(1, Math.min(c.pollMs ?? 20_000, remaining()));
    const q = `?since_seq=${since}&timeout_ms=${waitMs}&max_events=100`;
    const res = await remoteRequest({
      endpoint,
      url: url(c.baseUrl, `/longpoll/jobs/${encodeURIComponent(jobId)}${q}`),
      init: () => ({ method: 'GET', headers: auth(c.token) }),
      // The service holds the request up to waitMs; allow for it plus a margin.
      timeoutMs: Math.max(1, Math.min(waitMs + 10_000, remaining() + 1000)),
      retry: c.retry,
      signal: c.signal,
    });
    const poll = parseJsonAnswer(endpoint, res.body) as { events?: PollEvent[]; last_seq?: unknown; done?: unknown };
    if (!poll || typeof poll !== 'object' || (!Array.isArray(poll.events) && poll.done === undefined)) {
      throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} answered the long-poll with something unexpected: ${endpointMessage(res.body, 200)}`);
    }
    const events = Array.isArray(poll.events) ? poll.events : [];
    const bad = events.find((e) => BAD_EVENTS.has(eventType(e)));
    if (bad) throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} failed the page: ${eventError(bad)}`, { endpoint: c.baseUrl, job_id: jobId });
    const finished = events.some((e) => OK_EVENTS.has(eventType(e)));
    if (typeof poll.last_seq === 'number') since = poll.last_seq;
    else for (const e of events) if (typeof e.seq === 'number' && e.seq > since) since = e.seq;
    if (finished || poll.done === true) break;
  }

  if (remaining() <= 0) throw overdue(jobId);
  const r = await remoteRequest({
    endpoint,
    url: url(c.baseUrl, `/result/json/jobs/${encodeURIComponent(jobId)}`),
    init: () => ({ method: 'GET', headers: auth(c.token) }),
    timeoutMs: callTimeout(),
    retry: c.retry,
    signal: c.signal,
  });
  const result = parseJsonAnswer(endpoint, r.body) as PpStructureResult;
  const status = String(result?.final?.status ?? '').toLowerCase();
  if (status && !OK_EVENTS.has(status)) {
    throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} failed the page: ${result.final?.error_message || `status "${status}"`}`, {
      endpoint: c.baseUrl,
      job_id: jobId,
    });
  }
  if (!Array.isArray(result?.pages))
    throw new OcrflowError('OCRFLOW_ERR_ENGINE_FAILED', `${endpoint} returned a result without pages: ${endpointMessage(r.body, 200)}`);
  return result;
}

export async function ppStructureHealth(baseUrl: string, token: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const endpoint = ppEndpointName(baseUrl);
  const res = await remoteRequest({
    endpoint,
    url: url(baseUrl, '/health'),
    init: () => ({ method: 'GET', headers: auth(token) }),
    timeoutMs,
    retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
  });
  let j: Record<string, unknown> = {};
  try {
    j = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    /* a plain "ok" is fine */
  }
  if (j.ok === false || (typeof j.status === 'string' && /^(down|error|unhealthy)$/i.test(j.status)))
    return { ok: false, detail: `${endpoint} reports itself unhealthy: ${endpointMessage(res.body, 200)}` };
  const q = typeof j.queue_len === 'number' ? `, queue_len ${j.queue_len}` : '';
  return { ok: true, detail: `${endpoint}${q}` };
}
