/** The wire shapes of `/v1/batches` (mirroring `packages/server/src/routes/batches.schemas.ts`; the SDK tests run against the real server). */
import type { JobStatus, SubmitOptions } from './client.types.ts';

export type BatchState = 'creating' | 'open' | 'ended';

export interface Batch {
  /** ULID. */
  id: string;
  /** Your `batchId`. */
  batch_id: string | null;
  state: BatchState;
  total: number;
  /** Documents by job status. */
  counts: Record<JobStatus, number>;
  /** Documents finished, failed or canceled. */
  ended: number;
  pages_done: number;
  pages_total: number;
  webhook_url: string | null;
  created_at: string;
  ended_at: string | null;
  last_seq: number;
  links: { self: string; events: string; documents: string; results: string; cancel: string };
}

export interface BatchDocument {
  /** 1-based, in submission order. */
  position: number;
  job_id: string;
  task_id: string | null;
}

export interface CreatedBatch {
  batch: Batch;
  documents: BatchDocument[];
}

export interface BatchEvent {
  seq: number;
  type: 'created' | 'document_ended' | 'ended' | (string & {});
  batch_id: string;
  time: string;
  /** `document_ended`: the document and how many have ended. */
  job_id?: string;
  task_id?: string | null;
  position?: number;
  status?: JobStatus;
  ended?: number;
  total?: number;
  [field: string]: unknown;
}

export interface BatchEventsPage {
  events: BatchEvent[];
  last_seq: number;
  done: boolean;
}

export interface BatchSubmitOptions extends Omit<SubmitOptions, 'filename' | 'taskId' | 'webhookEvents'> {
  /** Your id for the batch: the same documents and options again return the same batch, different ones 409. */
  batchId?: string;
  /** One task id per document, in order (default `<batchId>#<position>`). */
  taskIds?: string[];
  /** Called once, when every document has ended. */
  webhookUrl?: string;
}

/** A document of a multipart batch: a local path, or bytes / a Blob with its file name. */
export type BatchFile = string | { data: Uint8Array | Blob; filename: string };
