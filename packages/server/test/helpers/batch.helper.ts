/** Batch calls over real HTTP for the batch tests (multipart and JSON submissions, long-poll until ended). */
import assert from 'node:assert/strict';
import type { Api, ErrorBody } from './api.helper.ts';

export interface Batch {
  id: string;
  batch_id: string | null;
  state: 'creating' | 'open' | 'ended';
  total: number;
  counts: Record<'queued' | 'running' | 'finished' | 'failed' | 'canceled', number>;
  ended: number;
  pages_done: number;
  pages_total: number;
  ended_at: string | null;
  last_seq: number;
}

export interface BatchDoc {
  position: number;
  job_id: string;
  task_id: string | null;
}

export interface BatchEvent {
  seq: number;
  type: string;
  batch_id: string;
  [k: string]: unknown;
}

export type Created = { batch: Batch; documents: BatchDoc[] } & ErrorBody;

export function submitBatch(api: Api, files: { data: Buffer; name: string }[], fields: Record<string, string> = {}) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append('file', new Blob([new Uint8Array(f.data)]), f.name);
  return api.json<Created>('/v1/batches', { method: 'POST', body: fd });
}

export function submitBatchPaths(api: Api, body: Record<string, unknown>) {
  return api.json<Created>('/v1/batches', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export async function getBatch(api: Api, id: string): Promise<Batch> {
  const r = await api.json<Batch>(`/v1/batches/${encodeURIComponent(id)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** Long-poll the batch's events until it ended (or `until` says stop); every event seen. */
export async function followBatch(api: Api, id: string, opts: { until?: (e: BatchEvent) => boolean; maxMs?: number } = {}): Promise<BatchEvent[]> {
  const all: BatchEvent[] = [];
  let since = 0;
  const deadline = Date.now() + (opts.maxMs ?? 300_000);
  while (Date.now() < deadline) {
    const r = await api.json<{ events: BatchEvent[]; last_seq: number; done: boolean }>(`/v1/batches/${id}/events?since_seq=${since}&timeout_ms=10000`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const e of r.body.events) {
      all.push(e);
      if (opts.until?.(e)) return all;
    }
    since = r.body.last_seq;
    if (r.body.done) return all;
  }
  throw new Error(`batch ${id} did not end in time; events: ${JSON.stringify(all)}`);
}
