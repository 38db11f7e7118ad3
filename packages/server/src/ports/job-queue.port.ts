/**
 * JobQueue: which job a worker should try next. The store stays the source of truth (a job is
 * queued when its row says so); the queue only orders and wakes workers, so losing it loses no
 * job — it is rebuilt from the store at start-up. A worker still has to `claimJob` in the store,
 * which fails harmlessly for a job canceled meanwhile. Local (in-process) or BullMQ.
 */
export interface EnqueueOptions {
  /**
   * Higher runs sooner (-10 … 10, default 0); equal priorities run oldest first. Omitted: the
   * job's own (`options.priority` in the store).
   */
  priority?: number;
}

/** How the runner ended its turn with a job `next()` gave it. */
export type SettleOutcome =
  /** Nothing more for the queue to do: the store says where the job is (finished, failed, canceled, or queued again and re-enqueued). */
  | 'done'
  /** The job's thread crashed and the store queued it again: offer it again after the queue's back-off. */
  | 'retry';

export interface JobQueue {
  readonly kind: 'local' | 'bullmq';
  /** Load the jobs that are queued in the store (oldest first) at start-up. */
  init(queuedIds: string[]): Promise<void>;
  /** Idempotent: a job already in the queue stays where it is. */
  enqueue(jobId: string, opts?: EnqueueOptions): Promise<void>;
  /** The next job id to try, waiting until there is one; null when the signal aborts or the queue closes. */
  next(signal: AbortSignal): Promise<string | null>;
  /**
   * The runner is done with an id `next()` returned (whether or not it could claim it). Queues
   * that hold a delivery until it is acknowledged (BullMQ: the active job and its lock) release
   * it here; without this call a crashed process's jobs come back only through stall detection.
   */
  settle?(jobId: string, outcome: SettleOutcome): Promise<void>;
  remove(jobId: string): Promise<void>;
  /** 1-based position among waiting jobs, null when not waiting. */
  position(jobId: string): Promise<number | null>;
  size(): Promise<number>;
  /**
   * Worker processes taking jobs from this queue anywhere in the deployment (BullMQ); null when
   * it cannot tell. Lets an API process without workers say whether any run (`/health`).
   */
  workerCount?(): Promise<number | null>;
  close(): Promise<void>;
}
