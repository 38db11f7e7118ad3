/**
 * One HTTP request to the service: base URL and Bearer token, a per-request deadline, and every
 * failure turned into one of the SDK's typed errors (see client.errors.ts). Uses the WHATWG
 * `fetch` (Node 20's built-in, a browser's, or one passed in — e.g. an adapter over Fastify's
 * `inject` for in-process use).
 */
import { OcrflowApiError, OcrflowNetworkError, OcrflowTimeoutError, describeFetchFailure } from './client.errors.ts';
import type { ApiErrorCode } from './client.types.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  baseUrl: string;
  token?: string;
  fetch?: FetchLike;
  /** Deadline of one ordinary request, headers and body; default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: BodyInit | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Overrides the transport's deadline; `null` = none (streams keep their own watchdog). */
  timeoutMs?: number | null;
  /** Needed by Node's fetch for a streamed request body. */
  duplex?: 'half';
}

/** Error codes for answers that did not come from ocrflow itself (a proxy, a wrong URL). */
function codeForStatus(status: number): ApiErrorCode {
  if (status === 401) return 'OCRFLOW_ERR_UNAUTHORIZED';
  if (status === 404) return 'OCRFLOW_ERR_NOT_FOUND';
  if (status === 413) return 'OCRFLOW_ERR_PAYLOAD_TOO_LARGE';
  if (status === 429) return 'OCRFLOW_ERR_QUEUE_FULL';
  if (status === 502 || status === 503) return 'OCRFLOW_ERR_OCR_SERVICE_UNAVAILABLE';
  if (status === 504) return 'OCRFLOW_ERR_TIMEOUT';
  if (status >= 400 && status < 500) return 'OCRFLOW_ERR_VALIDATION';
  return 'OCRFLOW_ERR_INTERNAL';
}

export class Transport {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly token?: string;
  private readonly fetchImpl: FetchLike;
  private readonly userAgent?: string;

  constructor(o: TransportOptions) {
    if (!/^https?:\/\//i.test(o.baseUrl)) throw new TypeError(`baseUrl must be an http(s) URL, got ${JSON.stringify(o.baseUrl)}`);
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    this.token = o.token || undefined;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.userAgent = o.userAgent;
    // Bound so a browser's window.fetch keeps its `this`.
    this.fetchImpl = o.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query?: Query): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    return `${this.baseUrl}${path}${s ? `?${s}` : ''}`;
  }

  /**
   * Send a request and hand a 2xx answer to `read` (inside the same deadline and error mapping, so a
   * reset mid-body is a network error too); other answers throw `OcrflowApiError`.
   */
  async call<T>(method: string, path: string, o: RequestOptions, read: (res: Response) => Promise<T>): Promise<T> {
    const url = this.url(path, o.query);
    const timeoutMs = o.timeoutMs === undefined ? this.timeoutMs : o.timeoutMs;
    const timer = timeoutMs === null ? null : AbortSignal.timeout(timeoutMs);
    const signals = [o.signal, timer].filter((s): s is AbortSignal => Boolean(s));
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const headers: Record<string, string> = { ...(this.userAgent ? { 'user-agent': this.userAgent } : {}), ...o.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, body: o.body ?? undefined, signal, ...(o.duplex ? { duplex: o.duplex } : {}) } as RequestInit);
    } catch (e) {
      throw this.mapFailure(e, method, url, o.signal, timer, timeoutMs);
    }
    if (!res.ok) throw await this.apiError(res, method, url);
    try {
      return await read(res);
    } catch (e) {
      throw this.mapFailure(e, method, url, o.signal, timer, timeoutMs);
    }
  }

  /** The 2xx answer with its body unread (streams); the caller maps body errors with `mapFailure`. */
  request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    return this.call(method, path, o, async (res) => res);
  }

  async json<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const { text, res } = await this.call(method, path, { ...o, headers: { accept: 'application/json', ...o.headers } }, async (r) => ({
      text: await r.text(),
      res: r,
    }));
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new OcrflowApiError({
        code: 'OCRFLOW_ERR_INTERNAL',
        status: res.status,
        message: `${method} ${path}: the answer is not JSON: ${text.slice(0, 200)}`,
        method,
        url: res.url,
      });
    }
  }

  text(method: string, path: string, o: RequestOptions = {}): Promise<string> {
    return this.call(method, path, o, (r) => r.text());
  }

  bytes(method: string, path: string, o: RequestOptions = {}): Promise<Uint8Array> {
    return this.call(method, path, o, async (r) => new Uint8Array(await r.arrayBuffer()));
  }

  /** Failures of fetch itself: the caller's abort, our deadline, or no answer. */
  mapFailure(e: unknown, method: string, url: string, caller: AbortSignal | undefined, timer: AbortSignal | null, timeoutMs: number | null): unknown {
    if (caller?.aborted) return caller.reason;
    if (timer?.aborted) return new OcrflowTimeoutError(`request ${method} ${url} took longer than ${timeoutMs} ms`, timeoutMs ?? 0, 'request');
    if (e instanceof OcrflowApiError || e instanceof OcrflowNetworkError || e instanceof OcrflowTimeoutError) return e;
    return new OcrflowNetworkError(`Cannot reach the ocrflow service at ${this.baseUrl}: ${describeFetchFailure(e)}`, { method, url, cause: e });
  }

  private async apiError(res: Response, method: string, url: string): Promise<OcrflowApiError> {
    const text = await res.text().catch(() => '');
    const ra = res.headers.get('retry-after');
    const retryAfterS = ra !== null && /^\d+$/.test(ra.trim()) ? Number(ra) : undefined;
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
      if (body?.error && typeof body.error.code === 'string') {
        return new OcrflowApiError({
          code: body.error.code,
          status: res.status,
          message: typeof body.error.message === 'string' ? body.error.message : `HTTP ${res.status}`,
          details: body.error.details && typeof body.error.details === 'object' ? (body.error.details as Record<string, unknown>) : undefined,
          retryAfterS,
          method,
          url,
        });
      }
    } catch {
      /* not ocrflow's JSON: described below */
    }
    const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return new OcrflowApiError({
      code: codeForStatus(res.status),
      status: res.status,
      message: `${method} ${url} answered HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`,
      retryAfterS,
      method,
      url,
    });
  }
}
