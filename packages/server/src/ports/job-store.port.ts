/**
 * JobStore: durable job state, events and per-page results. Implemented once with Kysely
 * (`adapters/sql/sql.store.ts`) and run on SQLite (embedded) or PostgreSQL (scaled).
 *
 * Every state change is one transaction that also appends the job's next event (so `seq` has no
 * gaps or duplicates) and returns the event for the caller to publish on the EventBus *after*
 * commit. Writes made by a worker are conditional on its lease (`status = 'running' AND
 * lease_owner = owner`): a worker whose job was canceled or reclaimed cannot overwrite it.
 */
import type { SerializedError } from '@ocrflow/core';
import type { JobEvent, JobMetrics, JobRecord, JobStatus, NewJob, Transition } from './job.types.ts';

/**
 * The unit of work extra writes join (the webhook outbox row written with a job's terminal
 * transition). Opaque to everyone but the store that opened it: a store and the stores sharing its
 * database (deliveries) know what is inside; services only pass it along.
 */
export interface StoreTx {
  readonly unitOfWork: unique symbol;
}

/**
 * Runs inside the transaction of every transition into a terminal state (finished, failed,
 * canceled), whoever caused it. Throwing rolls the transition back.
 */
export type TerminalHook = (tx: StoreTx, change: Transition) => Promise<void>;

/** Optional extra writes for one call, in the same transaction as the transition. */
export interface TxExtras {
  inTx?: (tx: StoreTx, change: Transition) => Promise<void>;
}

export interface ListJobsQuery {
  /** Only this tenant's jobs; undefined = every tenant's (an admin). */
  tenant?: string;
  taskId?: string;
  statuses?: JobStatus[];
  /** Cursor: only ids strictly older (smaller) than this. Ids sort by creation time. */
  beforeId?: string;
  limit: number;
}

export interface StoredPage {
  index: number;
  /** The page as JSON text (`Page` of the document model). */
  json: string;
}

export interface JobStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Run pending migrations. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  addTerminalHook(hook: TerminalHook): void;

  /** Insert a queued job and its `queued` event. Throws TaskIdTakenError on a duplicate task_id. */
  insertJob(job: NewJob): Promise<Transition>;
  getJob(id: string): Promise<JobRecord | null>;
  /** The jobs among `ids` that exist, in no particular order (one query for a group of readers). */
  getJobs(ids: readonly string[]): Promise<JobRecord[]>;
  /** task_id is unique per tenant. */
  getJobByTaskId(tenant: string, taskId: string): Promise<JobRecord | null>;
  /** Newest first. */
  listJobs(q: ListJobsQuery): Promise<JobRecord[]>;
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** Job counts per tenant and status (statuses without jobs left out). */
  countByTenantStatus(): Promise<{ tenant: string; status: JobStatus; count: number }[]>;
  /** Queued job ids, oldest queued first (rebuilds the local queue at start-up). */
  listQueuedIds(limit: number): Promise<string[]>;

  /** queued → running with a lease; attempts + 1. Null when the job is no longer queued. */
  claimJob(id: string, owner: string, leaseUntil: number, now: number): Promise<Transition | null>;
  /** Extend the lease; false when the worker no longer owns the job (canceled or reclaimed). */
  renewLease(id: string, owner: string, leaseUntil: number, now: number): Promise<boolean>;
  /** Store one finished page, bump done_pages, append a `running` progress event. */
  savePage(id: string, owner: string, page: StoredPage, metrics: JobMetrics, now: number): Promise<Transition | null>;
  listPages(id: string): Promise<StoredPage[]>;
  /** Indexes of the stored pages (what a resumed job skips). */
  listPageIndexes(id: string): Promise<number[]>;
  /** The page count found when the document was opened (may correct the submission's). */
  setPageCount(id: string, owner: string, pageCount: number, now: number): Promise<boolean>;

  finishJob(id: string, owner: string, result: { resultKey: string; metrics: JobMetrics }, now: number, extras?: TxExtras): Promise<Transition | null>;
  /** owner null: fail regardless of lease (start-up recovery giving up after too many attempts). */
  failJob(id: string, owner: string | null, error: SerializedError, metrics: JobMetrics, now: number, extras?: TxExtras): Promise<Transition | null>;
  /** running → queued (shutdown hand-back, crashed thread). `refundAttempt` when the job was not at fault. */
  requeueJob(id: string, owner: string, reason: string, opts: { refundAttempt: boolean; metrics?: JobMetrics }, now: number): Promise<Transition | null>;
  /**
   * queued|running → canceled. Returns the transition, or `{ job, event: null }` when the job is
   * already terminal (the caller decides between no-op and 409), or null when it does not exist.
   * `onlyQueued`: a job that has started is left alone (`event` null, the job as it is).
   */
  cancelJob(id: string, now: number, extras?: TxExtras, opts?: { onlyQueued?: boolean }): Promise<{ job: JobRecord; event: JobEvent | null } | null>;
  /** failed|canceled → queued (pages already stored are kept: the job resumes after them). */
  retryJob(id: string, now: number): Promise<{ job: JobRecord; event: JobEvent | null } | null>;
  /**
   * Running jobs whose lease expired (or every running job, `all`, at start-up of the single-process
   * shape) go back to queued, or to failed once `maxAttempts` claims were used up.
   */
  reclaimJobs(opts: { all: boolean; maxAttempts: number }, now: number): Promise<Transition[]>;

  /** Events with seq > sinceSeq, oldest first. */
  listEvents(id: string, sinceSeq: number, limit: number): Promise<JobEvent[]>;
  /** The events at exactly these (job, seq) places that exist, in no particular order. */
  getEventsAt(places: readonly { jobId: string; seq: number }[]): Promise<JobEvent[]>;
}

export class TaskIdTakenError extends Error {
  constructor(
    readonly tenant: string,
    readonly taskId: string,
  ) {
    super(`task_id ${taskId} is taken`);
    this.name = 'TaskIdTakenError';
  }
}
