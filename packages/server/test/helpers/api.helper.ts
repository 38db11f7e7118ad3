/** A thin test client for the job API over real HTTP (fetch). */
import assert from 'node:assert/strict';

export interface Job {
  id: string;
  task_id: string | null;
  status: 'queued' | 'running' | 'finished' | 'failed' | 'canceled';
  page_count: number;
  done_pages: number;
  queue_position: number | null;
  attempts: number;
  error: { code: string; message: string } | null;
  metrics: Record<string, unknown>;
  result_url: string | null;
  filename: string | null;
  mime: string;
  [k: string]: unknown;
}

export interface JobEvent {
  seq: number;
  type: string;
  job_id: string;
  status: string;
  [k: string]: unknown;
}

export interface Poll {
  events: JobEvent[];
  last_seq: number;
  done: boolean;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export class Api {
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.url + path, { ...init, headers: { ...this.headers(), ...(init.headers as Record<string, string>) } });
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T; res: Response }> {
    const res = await this.fetch(path, init);
    const text = await res.text();
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} non-JSON body: ${text.slice(0, 200)}`);
    }
    return { status: res.status, body, res };
  }

  submitRaw(data: Buffer, filename: string, fields: Record<string, string> = {}): Promise<{ status: number; body: Job & ErrorBody; res: Response }> {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    fd.append('file', new Blob([new Uint8Array(data)]), filename);
    return this.json<Job & ErrorBody>('/v1/jobs', { method: 'POST', body: fd });
  }

  async submit(data: Buffer, filename: string, fields: Record<string, string> = {}): Promise<Job> {
    const r = await this.submitRaw(data, filename, fields);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body;
  }

  async job(id: string): Promise<Job> {
    const r = await this.json<Job>(`/v1/jobs/${id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  async poll(id: string, q: { since_seq?: number; timeout_ms?: number; max_events?: number } = {}): Promise<Poll> {
    const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
    const r = await this.json<Poll>(`/v1/jobs/${id}/events?${qs}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  /** Long-poll until the job is done (or `until` says stop); returns every event seen. */
  async follow(id: string, opts: { since?: number; until?: (e: JobEvent) => boolean; maxMs?: number } = {}): Promise<JobEvent[]> {
    const all: JobEvent[] = [];
    let since = opts.since ?? 0;
    const deadline = Date.now() + (opts.maxMs ?? 120_000);
    while (Date.now() < deadline) {
      const p = await this.poll(id, { since_seq: since, timeout_ms: 10_000 });
      for (const e of p.events) {
        all.push(e);
        if (opts.until?.(e)) return all;
      }
      since = p.last_seq;
      if (p.done) return all;
    }
    throw new Error(`job ${id} did not finish in time; events: ${JSON.stringify(all)}`);
  }

  async waitDone(id: string, maxMs?: number): Promise<Job> {
    await this.follow(id, { maxMs });
    return this.job(id);
  }
}

/** Server-sent events read with fetch and parsed by hand (what an EventSource does). */
export async function readSse(url: string, headers: Record<string, string>, opts: { maxMs?: number; stopAfter?: number } = {}) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.maxMs ?? 60_000);
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: { id?: string; event?: string; data: string }[] = [];
  const comments: string[] = [];
  let ended = false;
  try {
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev: { id?: string; event?: string; data: string } = { data: '' };
        let isEvent = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line);
          else if (line.startsWith('id: ')) (ev.id = line.slice(4)), (isEvent = true);
          else if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('data: ')) ev.data += line.slice(6);
        }
        if (isEvent) events.push(ev);
      }
      if (opts.stopAfter && events.length >= opts.stopAfter) {
        ac.abort();
        break;
      }
    }
    ended = true;
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  return { status: res.status, contentType: res.headers.get('content-type'), events, comments, ended };
}
