/**
 * BatchStore: many documents submitted, watched and collected as one. A batch owns its documents'
 * job ids (in submission order) and its own event log; counts are read from the jobs themselves,
 * so they can never drift from the jobs' states. Implemented once with Kysely
 * (`adapters/sql/sql.batches.ts`), on the job store's database: the batch's bookkeeping joins the
 * transaction of each document's terminal transition (`onDocumentEndedInTx`).
 */
import type { StoreTx } from './job-store.port.ts';
import type { JobStatus, Transition } from './job.types.ts';

/** `creating` while its documents are being written (a repeated POST resumes it), `open` once all are, `ended` once every one ended. */
export const BATCH_STATES = ['creating', 'open', 'ended'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export interface BatchRecord {
  id: string;
  tenant: string;
  /** The client's `batch_id` (unique per tenant), or null. */
  batchKey: string | null;
  /** sha256 over every document's content and the options: what `batch_id` idempotency compares. */
  contentHash: string;
  webhookUrl: string | null;
  state: BatchState;
  /** How many documents the batch has (known at creation). */
  total: number;
  /** Seq of the newest batch event. */
  lastSeq: number;
  createdAt: number;
  endedAt: number | null;
}

export interface BatchDocument {
  position: number;
  jobId: string;
  taskId: string | null;
}

/** A batch's documents by status, with their pages. */
export interface BatchCounts {
  byStatus: Record<JobStatus, number>;
  pagesDone: number;
  pagesTotal: number;
}

export const BATCH_EVENT_TYPES = ['created', 'document_ended', 'ended'] as const;
export type BatchEventType = (typeof BATCH_EVENT_TYPES)[number];

export interface BatchEvent {
  batchId: string;
  /** 1, 2, 3, … per batch, no gaps. */
  seq: number;
  type: BatchEventType;
  createdAt: number;
  data: Record<string, unknown>;
}

export interface NewBatch {
  id: string;
  tenant: string;
  batchKey: string | null;
  contentHash: string;
  webhookUrl: string | null;
  total: number;
  now: number;
}

/** What a batch's end writes besides its own rows (the webhook outbox row), in the same transaction. */
export type BatchEndedHook = (tx: StoreTx, batch: BatchRecord, lastJobId: string, counts: BatchCounts) => Promise<void>;

/** A document's place in its batch, as recorded in its job's options. */
export interface BatchMember {
  batchId: string;
  position: number;
}

export interface BatchStore {
  /** Insert a `creating` batch with its `created` event. Throws BatchKeyTakenError on a duplicate batch_id. */
  insert(b: NewBatch): Promise<BatchRecord>;
  get(id: string): Promise<BatchRecord | null>;
  getByKey(tenant: string, batchKey: string): Promise<BatchRecord | null>;
  /** Link a document (idempotent: linking the same position again changes nothing). */
  addDocument(batchId: string, doc: BatchDocument): Promise<void>;
  /** Documents in submission order, from `afterPosition` on. */
  listDocuments(batchId: string, afterPosition: number, limit: number): Promise<BatchDocument[]>;
  /** creating → open once every document is linked; ends it at once when every document has already ended. */
  open(batchId: string, now: number, onEnded: BatchEndedHook): Promise<BatchRecord | null>;
  /**
   * Inside a job's terminal transition: the batch's `document_ended` event, and its end when this
   * was the last. `member` is where the job says it belongs (its options): when its link row is
   * missing (its process died between the job's commit and the link), the link is written here.
   */
  onDocumentEndedInTx(tx: StoreTx, change: Transition, member: BatchMember | null, onEnded: BatchEndedHook): Promise<void>;
  counts(batchId: string): Promise<BatchCounts>;
  /** Job ids of the batch's documents still queued. */
  queuedJobIds(batchId: string): Promise<string[]>;
  /** Events with seq > sinceSeq, oldest first. */
  listEvents(batchId: string, sinceSeq: number, limit: number): Promise<BatchEvent[]>;
}

export class BatchKeyTakenError extends Error {
  constructor(
    readonly tenant: string,
    readonly batchKey: string,
  ) {
    super(`batch_id ${batchKey} is taken`);
    this.name = 'BatchKeyTakenError';
  }
}
