/**
 * The JobQueue on BullMQ (scaled shape). The store stays the source of truth: a job row
 * is committed as `queued` before its BullMQ job exists, and the BullMQ job id is the ocrflow job
 * id, so enqueueing twice is a no-op. BullMQ orders (priority, then age), hands each job to one
 * worker process, holds it under a lock that worker renews, and moves it back to `wait` when the
 * worker dies (stall detection) — while the store's lease decides who may actually write.
 *
 * The runner pulls (`next()`); BullMQ pushes into a processor. The bridge: each processor call
 * hands its id to a waiting runner slot (or a short buffer) and stays pending — lock renewed —
 * until the runner `settle`s it:
 * - `done`: the BullMQ job completes and is removed (removeOnComplete), whatever the store says.
 *   If the store has meanwhile queued the job again (shutdown hand-back, lease reclaimed elsewhere),
 *   the runner enqueues it again once settled, so its BullMQ job is never the stale one.
 * - `retry` (its worker thread crashed; the store queued it again): the processor throws and
 *   BullMQ retries it after an exponential, jittered back-off.
 * - not claimed at shutdown (still in the buffer): moved back to `wait` untouched.
 *
 * A periodic sync from the store puts back any queued job whose BullMQ job is missing (an enqueue
 * that failed while Redis was away, or a job removed by a race), so Redis can be lost or flushed
 * without losing a job.
 */
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EnqueueOptions, JobQueue, SettleOutcome } from '../../ports/job-queue.port.ts';
import type { JobRecord, JobStatus } from '../../ports/job.types.ts';
import { PRIORITY_MAX, priorityOf } from '../../ports/job.priority.ts';
import type { RedisConnections } from './redis.connection.ts';

/** What the queue reads from the store (its source of truth). */
export interface QueueStoreView {
  listQueuedIds(limit: number): Promise<string[]>;
  getJob(id: string): Promise<JobRecord | null>;
  countByStatus(): Promise<Record<JobStatus, number>>;
}

export interface BullmqQueueOptions {
  connections: RedisConnections;
  /** The fail-fast commands connection (shared with the event publisher). */
  commands: Redis;
  store: QueueStoreView;
  log: Logger;
  /** Jobs this process runs at once (its runner slots). */
  concurrency: number;
  /** BullMQ lock = the store's lease: a dead worker's job is offered again after about as long. */
  lockMs: number;
  /** BullMQ attempts of one queued turn (the store's OCRFLOW_JOB_MAX_ATTEMPTS decides failure). */
  attempts: number;
  backoffMs: number;
  /** Queue name under the Redis prefix. */
  name?: string;
  syncEveryMs?: number;
}

type Outcome = SettleOutcome | 'release';

interface Delivery {
  id: string;
  settle(o: Outcome): void;
}

const SYNC_LIMIT = 1000;
const CLOSE_GRACE_MS = 10_000;
const SETTLE_WAIT_MS = 5000;
/** ocrflow priority (higher sooner, -10…10) → BullMQ priority (lower sooner, ≥ 1). */
export const toBullPriority = (p: number): number => PRIORITY_MAX + 1 - p;

export class BullmqQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  readonly queue: Queue;
  private worker: Worker | null = null;
  /** Ids BullMQ gave this process that no runner slot has taken yet. */
  private readonly handed: Delivery[] = [];
  private readonly waiters: ((d: Delivery | null) => void)[] = [];
  /** Deliveries handed to a runner slot, by job id. */
  private readonly active = new Map<string, Delivery>();
  /** Settled jobs whose move (completed / failed) BullMQ has not reported yet. */
  private readonly moving = new Map<string, () => void>();
  private syncTimer: NodeJS.Timeout | undefined;
  private repairTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly o: BullmqQueueOptions) {
    this.queue = new Queue(o.name ?? 'jobs', { connection: o.commands, prefix: o.connections.prefix });
    this.queue.on('error', (err) => o.log.warn({ err }, 'BullMQ queue error'));
    const every = o.syncEveryMs ?? 30_000;
    this.syncTimer = setInterval(() => void this.sync().catch((err) => o.log.warn({ err }, 'queue sync from the store failed')), every);
    this.syncTimer.unref();
  }

  async init(queuedIds: string[]): Promise<void> {
    await this.sync(queuedIds);
  }

  async enqueue(jobId: string, opts: EnqueueOptions = {}): Promise<void> {
    if (this.closed) return;
    let priority = opts.priority;
    if (priority === undefined) {
      const job = await this.o.store.getJob(jobId);
      // Only queued jobs belong in the queue (a stale request is dropped here, not by a worker).
      if (!job || job.status !== 'queued') return;
      priority = priorityOf(job);
    }
    try {
      await this.queue.add(
        'ocr',
        {},
        {
          jobId,
          priority: toBullPriority(priority),
          attempts: this.o.attempts,
          backoff: { type: 'exponential', delay: this.o.backoffMs, jitter: 0.2 },
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    } catch (err) {
      // The job is durable in the store; the next sync puts it into BullMQ.
      this.o.log.warn({ err, job: jobId }, 'enqueue in BullMQ failed; the queue sync will retry it');
      this.syncSoon();
    }
  }

  next(signal: AbortSignal): Promise<string | null> {
    if (this.closed || signal.aborted) return Promise.resolve(null);
    this.ensureWorker();
    const ready = this.handed.shift();
    if (ready) return Promise.resolve(this.take(ready));
    return new Promise((resolve) => {
      const waiter = (d: Delivery | null) => {
        signal.removeEventListener('abort', onAbort);
        resolve(d ? this.take(d) : null);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(null);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Resolves once BullMQ has moved the job on (completed and removed, or failed into its back-off),
   * so a caller that enqueues the id right after never meets the old entry (the add would be a no-op).
   */
  async settle(jobId: string, outcome: SettleOutcome): Promise<void> {
    const d = this.active.get(jobId);
    this.active.delete(jobId);
    if (!d) return;
    const moved = new Promise<void>((resolve) => {
      // A lost lock makes BullMQ report an error instead of `completed`; do not wait for ever.
      const timer = setTimeout(resolve, SETTLE_WAIT_MS);
      this.moving.set(jobId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    d.settle(outcome);
    await moved;
    this.moving.delete(jobId);
  }

  async remove(jobId: string): Promise<void> {
    // 0 when the job is active (locked by a worker): that worker learns of the cancel from the bus
    // or its lease, and settles it.
    await this.queue.remove(jobId).catch((err) => this.o.log.warn({ err, job: jobId }, 'removing a job from BullMQ failed'));
  }

  async position(jobId: string): Promise<number | null> {
    const k = this.queue.keys;
    try {
      const r = await this.o.commands.multi().llen(k.wait).lpos(k.wait, jobId).zrank(k.prioritized, jobId).exec();
      if (!r) return null;
      const [waitLen, waitIdx, rank] = r.map(([, v]) => v as number | null);
      // `wait` is consumed from its right end and is served before `prioritized`.
      if (waitIdx !== null) return (waitLen ?? 0) - waitIdx;
      if (rank !== null) return (waitLen ?? 0) + rank + 1;
      return null;
    } catch {
      return null;
    }
  }

  async size(): Promise<number> {
    try {
      return await this.queue.count();
    } catch (err) {
      // Redis away: the store knows how many jobs wait.
      this.o.log.debug({ err }, 'BullMQ count failed; counting queued jobs in the store');
      return (await this.o.store.countByStatus()).queued;
    }
  }

  /** BullMQ names each worker's blocking connection: CLIENT LIST counts the live worker processes. */
  async workerCount(): Promise<number | null> {
    return this.queue.getWorkersCount().catch(() => null);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.syncTimer);
    clearTimeout(this.repairTimer);
    for (const w of this.waiters.splice(0)) w(null);
    // Close the worker first (it fetches nothing more), then let the processors it waits for end.
    const closing = this.worker?.close().catch((err) => this.o.log.warn({ err }, 'closing the BullMQ worker failed'));
    for (const d of this.handed.splice(0)) d.settle('release');
    if (closing) {
      // The runner settles what it ran before the queue closes; anything left after a grace
      // period goes back to `wait` rather than holding the close for ever.
      const grace = setTimeout(() => {
        for (const d of this.active.values()) d.settle('release');
        this.active.clear();
      }, CLOSE_GRACE_MS);
      await closing;
      clearTimeout(grace);
    }
    // A failing sync was logged where it ran (the sync timer); closing only waits for it to end.
    await this.syncing?.catch(() => {});
    await this.queue.close().catch((err) => this.o.log.warn({ err }, 'closing the BullMQ queue failed'));
  }

  /**
   * Put every queued job of the store (oldest first, at most SYNC_LIMIT) that has no BullMQ job
   * back into BullMQ. One EXISTS per job in a pipeline; only missing ones are added.
   */
  sync(ids?: string[]): Promise<void> {
    if (this.syncing) return this.syncing;
    // Reset in a callback, never inside the body: a body that ends without awaiting would
    // otherwise clear `syncing` before it is set, and every later sync would reuse a stale promise.
    const p: Promise<void> = this.syncOnce(ids).finally(() => {
      if (this.syncing === p) this.syncing = null;
    });
    this.syncing = p;
    return p;
  }

  private async syncOnce(ids?: string[]): Promise<void> {
    const queued = ids ?? (await this.o.store.listQueuedIds(SYNC_LIMIT));
    for (let i = 0; i < queued.length && !this.closed; i += SYNC_LIMIT) {
      const batch = queued.slice(i, i + SYNC_LIMIT);
      const pipe = this.o.commands.pipeline();
      for (const id of batch) pipe.exists(this.queue.toKey(id));
      const found = (await pipe.exec()) ?? [];
      const missing = batch.filter((_, j) => found[j]?.[1] !== 1);
      for (const id of missing) await this.enqueue(id);
      if (missing.length && !ids) this.o.log.info({ jobs: missing.length }, 'queued jobs missing from BullMQ were enqueued again');
    }
  }

  /** After a failed enqueue: sync in a moment, and again with a growing delay until Redis takes it. */
  private syncSoon(delayMs = 1000): void {
    if (this.repairTimer || this.closed) return;
    this.repairTimer = setTimeout(() => {
      this.repairTimer = undefined;
      this.sync().catch(() => this.syncSoon(Math.min(delayMs * 2, 30_000)));
    }, delayMs);
    this.repairTimer.unref();
  }

  private take(d: Delivery): string {
    this.active.set(d.id, d);
    return d.id;
  }

  /** The BullMQ worker starts with the first `next()`: processes that never run jobs never take one. */
  private ensureWorker(): void {
    if (this.worker || this.closed) return;
    const { o } = this;
    const worker = new Worker(o.name ?? 'jobs', (job, token) => this.process(job, token), {
      connection: o.connections.open('worker'),
      prefix: o.connections.prefix,
      concurrency: o.concurrency,
      lockDuration: o.lockMs,
      // A frozen worker's lock (renewed every half lock) runs out at most a third of a lease after
      // its store lease (renewed every third); a stall check every half lock moves the job back to
      // `wait` within 5/6 of a lease after the store lease ran out (lease-vs-lock.pg.test.ts).
      stalledInterval: Math.min(Math.floor(o.lockMs / 2), 30_000),
      maxStalledCount: o.attempts,
      // The runner removes jobs itself (removeOnComplete/Fail on each job).
      autorun: true,
    });
    worker.on('error', (err) => o.log.warn({ err }, 'BullMQ worker error'));
    worker.on('completed', (job) => job.id && this.moving.get(job.id)?.());
    worker.on('failed', (job, err) => {
      if (!job?.id) return;
      o.log.debug({ job: job.id, err: err.message, attempts: job.attemptsMade }, 'BullMQ job attempt failed');
      this.moving.get(job.id)?.();
    });
    this.worker = worker;
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const id = job.id;
    if (!id) return;
    const outcome = await new Promise<Outcome>((resolve) => {
      if (this.closed) return resolve('release');
      const d: Delivery = { id, settle: resolve };
      const w = this.waiters.shift();
      if (w) w(d);
      else this.handed.push(d);
    });
    if (outcome === 'release') {
      // Not started here: back to `wait` for another worker, without using an attempt.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (outcome === 'retry') throw new Error('the worker thread running this job crashed; retrying after a back-off');
  }
}
