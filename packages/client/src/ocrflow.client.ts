/**
 * `OcrflowClient`: the typed SDK of the ocrflow service API (`/v1`, see docs/api.md). It depends
 * on nothing of ocrflow at run time, so the workbench, the CLI and anyone's own program use the
 * same client, in-process (pass a `fetch` over the app) or over HTTP with a Bearer token.
 *
 *   const ocr = new OcrflowClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.OCRFLOW_TOKEN });
 *   const job = await ocr.submit('scan.jpg', { mode: 'layout', taskId: 'invoice-42' });
 *   const done = await ocr.waitFor(job, { onEvent: (e) => console.log(e.type, e.done_pages) });
 *   const xlsx = await ocr.result(done.id, 'xlsx');
 */
import { OcrflowApiError, OcrflowTimeoutError, isTransient } from './client.errors.ts';
import { followEvents, backoffMs, sleep, type EventTransport, type FollowOptions } from './client.follow.ts';
import { Transport, type FetchLike } from './client.http.ts';
import { buildUpload, type SubmitInput } from './client.upload.ts';
import { BatchesApi } from './client.batches.ts';
import { isTerminalStatus } from './client.types.ts';
import type { Analysis, Delivery, EventsPage, Health, Job, JobEvent, JobList, ListQuery, ResultFormat, ResultOf, SubmitOptions } from './client.types.ts';

export interface OcrflowClientOptions {
  /** e.g. `http://127.0.0.1:8080` (no `/v1`). */
  baseUrl: string;
  /** Bearer token (one of the server's OCRFLOW_TOKENS); omit for an open server. */
  token?: string;
  /** A WHATWG fetch; default the global one. */
  fetch?: FetchLike;
  /** Deadline of one ordinary request (not of long-polls, streams or `waitFor`). Default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
  /**
   * Default of `stream`/`waitFor`: `auto` (SSE, long-poll when the answer is not an event stream),
   * `sse` or `longpoll`. Use `longpoll` with a `fetch` that cannot stream (e.g. Fastify's inject).
   */
  eventTransport?: EventTransport;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface EventsOptions extends CallOptions {
  sinceSeq?: number;
  /** How long the server may wait for a new event (at most 60 s). Default 25 s. */
  timeoutMs?: number;
  maxEvents?: number;
}

export interface WaitOptions extends Omit<FollowOptions, 'sinceSeq'> {
  /** Give up after this long with `OcrflowTimeoutError` (scope `wait`); default: no limit. */
  timeoutMs?: number;
  /** Every event of the job, in order, once each (from the first one). */
  onEvent?: (event: JobEvent) => void;
}

export interface ResultOptions extends CallOptions {
  /** The pages finished so far, while the job still runs. */
  partial?: boolean;
}

const jobPath = (id: string, rest = '') => `/v1/jobs/${encodeURIComponent(id)}${rest}`;

export class OcrflowClient {
  private readonly t: Transport;
  private readonly eventTransport: EventTransport;
  /** Many documents as one: submit, watch, cancel, collect one zip (`/v1/batches`). */
  readonly batches: BatchesApi;

  constructor(options: OcrflowClientOptions) {
    this.t = new Transport(options);
    this.eventTransport = options.eventTransport ?? 'auto';
    this.batches = new BatchesApi(this.t);
  }

  get baseUrl(): string {
    return this.t.baseUrl;
  }

  /** Upload a document: a local path, bytes, a Blob/File or a byte stream. 202 new job, or 200 the existing one for a repeated `taskId`. */
  async submit(input: SubmitInput, options: SubmitOptions = {}): Promise<Job> {
    const up = await buildUpload(input, options);
    return this.t.json<Job>('POST', '/v1/jobs', {
      body: up.body,
      headers: up.headers,
      duplex: up.duplex,
      signal: options.signal,
      timeoutMs: Math.max(this.t.timeoutMs, 300_000),
    });
  }

  /** Submit a file the *server* can read, under one of its OCRFLOW_INPUT_DIRS. */
  submitPath(filePath: string, options: Omit<SubmitOptions, 'filename'> = {}): Promise<Job> {
    const body = {
      file_path: filePath,
      ...(options.taskId !== undefined ? { task_id: options.taskId } : {}),
      ...(options.webhookUrl !== undefined ? { webhook_url: options.webhookUrl } : {}),
      ...(options.webhookEvents?.length ? { webhook_events: options.webhookEvents } : {}),
      ...(options.engine !== undefined ? { engine: options.engine } : {}),
      ...(options.mode !== undefined ? { mode: options.mode } : {}),
      ...(options.languages?.length ? { languages: options.languages } : {}),
      ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
    };
    return this.t.json<Job>('POST', '/v1/jobs', { body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, signal: options.signal });
  }

  get(id: string, o: CallOptions = {}): Promise<Job> {
    return this.t.json<Job>('GET', jobPath(id), o);
  }

  /** One page of jobs, newest first; pass `next_cursor` back as `cursor` for the next. */
  list(q: ListQuery = {}, o: CallOptions = {}): Promise<JobList> {
    const status = Array.isArray(q.status) ? q.status.join(',') : q.status;
    return this.t.json<JobList>('GET', '/v1/jobs', { ...o, query: { task_id: q.taskId, status, cursor: q.cursor, limit: q.limit } });
  }

  /** Every page of `list`, in order. */
  async *listPages(q: ListQuery = {}, o: CallOptions = {}): AsyncGenerator<JobList> {
    let cursor = q.cursor;
    do {
      const page = await this.list({ ...q, cursor }, o);
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Every job matching `q`, newest first, fetching pages as needed: `for await (const job of client.listAll())`. */
  async *listAll(q: ListQuery = {}, o: CallOptions = {}): AsyncGenerator<Job> {
    for await (const page of this.listPages(q, o)) yield* page.jobs;
  }

  /** Cancel a queued or running job (a canceled one: no-op; a finished or failed one: 409). */
  cancel(id: string, o: CallOptions = {}): Promise<Job> {
    return this.t.json<Job>('DELETE', jobPath(id), o);
  }

  /** Queue a failed or canceled job again; it resumes after its last finished page. */
  retry(id: string, o: CallOptions = {}): Promise<Job> {
    return this.t.json<Job>('POST', jobPath(id, '/retry'), o);
  }

  /** One long-poll: events after `sinceSeq`, waiting up to `timeoutMs` for the first. */
  events(id: string, o: EventsOptions = {}): Promise<EventsPage> {
    const wait = o.timeoutMs ?? 25_000;
    return this.t.json<EventsPage>('GET', jobPath(id, '/events'), {
      signal: o.signal,
      query: { since_seq: o.sinceSeq ?? 0, timeout_ms: wait, max_events: o.maxEvents },
      timeoutMs: wait + this.t.timeoutMs,
    });
  }

  /**
   * The job's events as they happen (server-sent events, reconnecting with Last-Event-ID; long-poll
   * when the server or a proxy does not stream), ending after the terminal event.
   */
  stream(id: string, o: FollowOptions = {}): AsyncGenerator<JobEvent> {
    return followEvents(this.t, id, { transport: this.eventTransport, ...o });
  }

  /**
   * Resolve with the job once it is finished, failed or canceled (check `job.status`). Rides out
   * dropped connections and server restarts; throws for unknown jobs, bad tokens, the caller's
   * abort, or `OcrflowTimeoutError` after `timeoutMs`.
   */
  async waitFor(idOrJob: string | Pick<Job, 'id'>, o: WaitOptions = {}): Promise<Job> {
    const id = typeof idOrJob === 'string' ? idOrJob : idOrJob.id;
    const deadline = o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined;
    const signals = [o.signal, deadline].filter((s): s is AbortSignal => Boolean(s));
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      let since = 0;
      for (;;) {
        for await (const ev of followEvents(this.t, id, { transport: this.eventTransport, ...o, sinceSeq: since, signal })) {
          since = ev.seq;
          o.onEvent?.(ev);
        }
        const job = await this.retrying(() => this.get(id, { signal }), signal, o);
        if (isTerminalStatus(job.status)) return job;
        // Retried between its terminal event and our read: keep following.
      }
    } catch (e) {
      if (deadline?.aborted && !o.signal?.aborted) throw new OcrflowTimeoutError(`Job ${id} did not end within ${o.timeoutMs} ms`, o.timeoutMs ?? 0, 'wait');
      throw e;
    }
  }

  /** The result in one format: `json` is the typed document, `xlsx` and `pdf` bytes, the others strings. 409 OCRFLOW_ERR_RESULT_NOT_READY until finished. */
  result(id: string, format?: 'json', o?: ResultOptions): Promise<ResultOf['json']>;
  result<F extends ResultFormat>(id: string, format: F, o?: ResultOptions): Promise<ResultOf[F]>;
  async result(id: string, format: ResultFormat = 'json', o: ResultOptions = {}): Promise<ResultOf[ResultFormat]> {
    const opts = { signal: o.signal, query: { format, partial: o.partial ? 'true' : undefined }, timeoutMs: Math.max(this.t.timeoutMs, 120_000) };
    if (format === 'json') return this.t.json<ResultOf['json']>('GET', jobPath(id, '/result'), opts);
    if (format === 'xlsx' || format === 'pdf') return this.t.bytes('GET', jobPath(id, '/result'), opts);
    return this.t.text('GET', jobPath(id, '/result'), opts);
  }

  /** Key facts of a finished job (`ocrflow.analysis/1`). */
  analysis(id: string, o: CallOptions = {}): Promise<Analysis> {
    return this.t.json<Analysis>('GET', jobPath(id, '/analysis'), o);
  }

  /** The job's webhook deliveries, each with its attempts. */
  async deliveries(id: string, o: CallOptions = {}): Promise<Delivery[]> {
    return (await this.t.json<{ deliveries: Delivery[] }>('GET', jobPath(id, '/deliveries'), o)).deliveries;
  }

  /** Send the job's terminal webhook again now; the new deliveries. */
  async redeliver(id: string, o: CallOptions = {}): Promise<Delivery[]> {
    return (await this.t.json<{ deliveries: Delivery[] }>('POST', jobPath(id, '/deliveries/redeliver'), o)).deliveries;
  }

  /** `GET /health` (no token needed). */
  health(o: CallOptions = {}): Promise<Health> {
    return this.t.json<Health>('GET', '/health', o);
  }

  /** True once the service takes jobs; false while it starts (503). */
  async ready(o: CallOptions = {}): Promise<boolean> {
    try {
      await this.t.json('GET', '/ready', o);
      return true;
    } catch (e) {
      if (e instanceof OcrflowApiError && e.status === 503) return false;
      throw e;
    }
  }

  private async retrying<T>(fn: () => Promise<T>, signal: AbortSignal | undefined, o: Pick<FollowOptions, 'maxBackoffMs' | 'onRetry'>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (signal?.aborted || !isTransient(e)) throw e;
        const delay = backoffMs(attempt, o.maxBackoffMs);
        o.onRetry?.(e, attempt + 1, delay);
        await sleep(delay, signal);
      }
    }
  }
}
