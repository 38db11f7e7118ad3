/**
 * JobQueue: which job a worker should try next. The store stays the source of truth (a job is
 * queued when its row says so); the queue only orders and wakes workers, so losing it loses no
 * job — it is rebuilt from the store at start-up. A worker still has to `claimJob` in the store,
 * which fails harmlessly for a job canceled meanwhile. Local (in-process) now; BullMQ in issue 8.
 */
export interface JobQueue {
  readonly kind: 'local' | 'bullmq';
  /** Load the jobs that are queued in the store (oldest first) at start-up. */
  init(queuedIds: string[]): Promise<void>;
  enqueue(jobId: string): Promise<void>;
  /** The next job id to try, waiting until there is one; null when the signal aborts or the queue closes. */
  next(signal: AbortSignal): Promise<string | null>;
  remove(jobId: string): Promise<void>;
  /** 1-based position among waiting jobs, null when not waiting. */
  position(jobId: string): Promise<number | null>;
  size(): Promise<number>;
  close(): Promise<void>;
}
