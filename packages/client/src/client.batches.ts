/**
 * `client.batches`: many documents submitted, watched and collected as one (`/v1/batches`).
 *
 *   const { batch } = await ocr.batches.submit(['a.png', 'b.pdf'], { batchId: 'scans-2026' });
 *   const done = await ocr.batches.waitFor(batch.id, { onEvent: (e) => console.log(e.ended, '/', e.total) });
 *   const zip = await ocr.batches.results(done.id, 'markdown');
 */
import { OcrflowInputError, OcrflowTimeoutError, isTransient } from './client.errors.ts';
import { backoffMs, sleep } from './client.follow.ts';
import type { Transport } from './client.http.ts';
import type { Batch, BatchDocument, BatchEvent, BatchEventsPage, BatchFile, BatchSubmitOptions, CreatedBatch } from './client.batch.types.ts';
import type { ResultFormat } from './client.types.ts';

interface CallOptions {
  signal?: AbortSignal;
}

export interface BatchWaitOptions extends CallOptions {
  /** Give up after this long with `OcrflowTimeoutError` (scope `wait`); default: no limit. */
  timeoutMs?: number;
  /** Every event of the batch, in order, once each. */
  onEvent?: (event: BatchEvent) => void;
  /** Called before each reconnection after a failure (a restarting server). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const batchPath = (id: string, rest = '') => `/v1/batches/${encodeURIComponent(id)}${rest}`;

function fields(o: BatchSubmitOptions): [string, string][] {
  const f: [string, string][] = [];
  if (o.batchId !== undefined) f.push(['batch_id', o.batchId]);
  if (o.taskIds?.length) f.push(['task_ids', JSON.stringify(o.taskIds)]);
  if (o.webhookUrl !== undefined) f.push(['webhook_url', o.webhookUrl]);
  if (o.engine !== undefined) f.push(['engine', o.engine]);
  if (o.mode !== undefined) f.push(['mode', o.mode]);
  if (o.languages?.length) f.push(['languages', o.languages.join(',')]);
  if (o.prompt !== undefined) f.push(['prompt', o.prompt]);
  if (o.priority !== undefined) f.push(['priority', String(o.priority)]);
  return f;
}

async function fileBlob(f: BatchFile): Promise<{ blob: Blob; name: string }> {
  if (typeof f !== 'string') return { blob: f.data instanceof Blob ? f.data : new Blob([f.data as Uint8Array<ArrayBuffer>]), name: f.filename };
  const fs = await import('node:fs');
  try {
    return { blob: await fs.openAsBlob(f), name: f.split(/[\\/]/).filter(Boolean).pop() ?? 'upload' };
  } catch (e) {
    throw new OcrflowInputError(`Cannot read ${f}${(e as { code?: string }).code ? ` (${(e as { code?: string }).code})` : ''}`, { cause: e });
  }
}

export class BatchesApi {
  constructor(private readonly t: Transport) {}

  /** Upload the documents as one batch (local paths are read lazily, never all into memory). 202 new, or 200 the existing batch for a repeated `batchId`. */
  async submit(files: BatchFile[], o: BatchSubmitOptions = {}): Promise<CreatedBatch> {
    const form = new FormData();
    for (const [k, v] of fields(o)) form.append(k, v);
    for (const f of files) {
      const { blob, name } = await fileBlob(f);
      form.append('file', blob, name);
    }
    return this.t.json<CreatedBatch>('POST', '/v1/batches', { body: form, signal: o.signal, timeoutMs: Math.max(this.t.timeoutMs, 600_000) });
  }

  /** A batch of files the *server* can read, under its OCRFLOW_INPUT_DIRS. */
  submitPaths(filePaths: string[], o: BatchSubmitOptions = {}): Promise<CreatedBatch> {
    const body: Record<string, unknown> = Object.fromEntries(fields(o).filter(([k]) => k !== 'task_ids'));
    if (o.taskIds?.length) body.task_ids = o.taskIds;
    body.file_paths = filePaths;
    return this.t.json<CreatedBatch>('POST', '/v1/batches', {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      signal: o.signal,
      timeoutMs: Math.max(this.t.timeoutMs, 600_000),
    });
  }

  /** By its id or your `batchId`. */
  get(id: string, o: CallOptions = {}): Promise<Batch> {
    return this.t.json<Batch>('GET', batchPath(id), o);
  }

  /** Every document in submission order (fetched a page at a time). */
  async *documents(id: string, o: CallOptions = {}): AsyncGenerator<BatchDocument> {
    let after: number | null = 0;
    while (after !== null) {
      const page: { documents: BatchDocument[]; next_after: number | null } = await this.t.json('GET', batchPath(id, '/documents'), {
        ...o,
        query: { after, limit: 1000 },
      });
      yield* page.documents;
      after = page.next_after;
    }
  }

  /** Cancel every document not started yet; running ones run to their end. */
  cancel(id: string, o: CallOptions = {}): Promise<{ batch: Batch; canceled: number }> {
    return this.t.json('DELETE', batchPath(id), o);
  }

  /** One long-poll: events after `sinceSeq`, waiting up to `timeoutMs` for the first. */
  events(id: string, o: CallOptions & { sinceSeq?: number; timeoutMs?: number; maxEvents?: number } = {}): Promise<BatchEventsPage> {
    const wait = o.timeoutMs ?? 25_000;
    return this.t.json<BatchEventsPage>('GET', batchPath(id, '/events'), {
      signal: o.signal,
      query: { since_seq: o.sinceSeq ?? 0, timeout_ms: wait, max_events: o.maxEvents },
      timeoutMs: wait + this.t.timeoutMs,
    });
  }

  /** Resolve with the batch once every document ended. Rides out dropped connections and server restarts. */
  async waitFor(id: string, o: BatchWaitOptions = {}): Promise<Batch> {
    const deadline = o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined;
    const signals = [o.signal, deadline].filter((s): s is AbortSignal => Boolean(s));
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    let since = 0;
    let attempt = 0;
    try {
      for (;;) {
        let page: BatchEventsPage;
        try {
          page = await this.events(id, { sinceSeq: since, signal });
          attempt = 0;
        } catch (e) {
          if (signal?.aborted || !isTransient(e)) throw e;
          const delay = backoffMs(attempt++);
          o.onRetry?.(e, attempt, delay);
          await sleep(delay, signal);
          continue;
        }
        for (const e of page.events) o.onEvent?.(e);
        since = page.last_seq;
        if (page.done) return await this.get(id, { signal });
      }
    } catch (e) {
      if (deadline?.aborted && !o.signal?.aborted) throw new OcrflowTimeoutError(`Batch ${id} did not end within ${o.timeoutMs} ms`, o.timeoutMs ?? 0, 'wait');
      throw e;
    }
  }

  /** The zip of every finished document's result in `format`, and manifest.json, as a stream (write it to a file). */
  async resultsStream(id: string, format: ResultFormat = 'json', o: CallOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const res = await this.t.request('GET', batchPath(id, '/results'), { signal: o.signal, query: { format }, timeoutMs: null });
    if (!res.body) throw new OcrflowInputError('The results answer has no body');
    return res.body;
  }

  /** The same zip as bytes (small batches). */
  results(id: string, format: ResultFormat = 'json', o: CallOptions = {}): Promise<Uint8Array> {
    return this.t.bytes('GET', batchPath(id, '/results'), { signal: o.signal, query: { format }, timeoutMs: Math.max(this.t.timeoutMs, 600_000) });
  }
}
