/** The wire shapes of batches and their events (snake_case, ISO times) — kept in sync with `routes/batches.schemas.ts`. */
import type { BatchCounts, BatchDocument, BatchEvent, BatchRecord } from '../ports/batch-store.port.ts';
import type { JobStatus } from '../ports/job.types.ts';

export interface BatchView {
  id: string;
  batch_id: string | null;
  state: string;
  total: number;
  counts: Record<JobStatus, number>;
  ended: number;
  pages_done: number;
  pages_total: number;
  webhook_url: string | null;
  created_at: string;
  ended_at: string | null;
  last_seq: number;
  links: { self: string; events: string; documents: string; results: string; cancel: string };
}

export interface BatchDocumentView {
  position: number;
  job_id: string;
  task_id: string | null;
}

export interface BatchEventView {
  seq: number;
  type: string;
  batch_id: string;
  time: string;
  [field: string]: unknown;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toBatchView(b: BatchRecord, c: BatchCounts): BatchView {
  const self = `/v1/batches/${b.id}`;
  return {
    id: b.id,
    batch_id: b.batchKey,
    state: b.state,
    total: b.total,
    counts: c.byStatus,
    ended: c.byStatus.finished + c.byStatus.failed + c.byStatus.canceled,
    pages_done: c.pagesDone,
    pages_total: c.pagesTotal,
    webhook_url: b.webhookUrl,
    created_at: iso(b.createdAt) as string,
    ended_at: iso(b.endedAt),
    last_seq: b.lastSeq,
    links: { self, events: `${self}/events`, documents: `${self}/documents`, results: `${self}/results`, cancel: self },
  };
}

export const toBatchDocumentView = (d: BatchDocument): BatchDocumentView => ({ position: d.position, job_id: d.jobId, task_id: d.taskId });

export const toBatchEventView = (e: BatchEvent): BatchEventView => ({
  ...e.data,
  seq: e.seq,
  type: e.type,
  batch_id: e.batchId,
  time: new Date(e.createdAt).toISOString(),
});

/** The body of a batch's one webhook, fixed when the batch ended. */
export function batchWebhookBody(b: BatchRecord, c: BatchCounts, baseUrl: string): string {
  return JSON.stringify({
    type: 'batch.ended',
    id: b.id,
    batch_id: b.batchKey,
    status: 'ended',
    total: b.total,
    counts: c.byStatus,
    pages_done: c.pagesDone,
    pages_total: c.pagesTotal,
    results_url: `${baseUrl}/v1/batches/${b.id}/results`,
    timestamp: new Date(b.endedAt ?? Date.now()).toISOString(),
  });
}
