/**
 * The in-process queue of the embedded shape: an ordered list of job ids plus waiting workers.
 * Not durable by itself — the store is; `init` reloads it from the store at start-up.
 */
import type { EnqueueOptions, JobQueue } from '../ports/job-queue.port.ts';

export class LocalQueue implements JobQueue {
  readonly kind = 'local' as const;
  private ids: string[] = [];
  /** Priority of each waiting id: higher first, FIFO among equals. */
  private readonly priorities = new Map<string, number>();
  private readonly waiters: ((id: string | null) => void)[] = [];
  private closed = false;

  /** `priorityOf`: a job's own priority when `enqueue` is not told (re-queued and recovered jobs). */
  constructor(private readonly priorityOf: (jobId: string) => Promise<number> = async () => 0) {}

  async init(queuedIds: string[]): Promise<void> {
    for (const id of queuedIds) await this.enqueue(id);
  }

  async enqueue(jobId: string, opts: EnqueueOptions = {}): Promise<void> {
    if (this.closed || this.ids.includes(jobId)) return;
    const w = this.waiters.shift();
    if (w) return w(jobId);
    const p = opts.priority ?? (await this.priorityOf(jobId));
    if (this.closed || this.ids.includes(jobId)) return; // enqueued meanwhile
    // A worker may have started waiting while the priority was read: it gets the job now (pushed
    // to the list instead, the job would wait there until some other job was enqueued).
    const late = this.waiters.shift();
    if (late) return late(jobId);
    // After every id of the same or a higher priority: FIFO among equals.
    let i = this.ids.length;
    while (i > 0 && (this.priorities.get(this.ids[i - 1]) ?? 0) < p) i--;
    this.ids.splice(i, 0, jobId);
    this.priorities.set(jobId, p);
  }

  next(signal: AbortSignal): Promise<string | null> {
    if (this.closed || signal.aborted) return Promise.resolve(null);
    const id = this.ids.shift();
    if (id !== undefined) {
      this.priorities.delete(id);
      return Promise.resolve(id);
    }
    return new Promise((resolve) => {
      const waiter = (v: string | null) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
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

  async remove(jobId: string): Promise<void> {
    const i = this.ids.indexOf(jobId);
    if (i >= 0) this.ids.splice(i, 1);
    this.priorities.delete(jobId);
  }

  async position(jobId: string): Promise<number | null> {
    const i = this.ids.indexOf(jobId);
    return i >= 0 ? i + 1 : null;
  }

  async size(): Promise<number> {
    return this.ids.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
    this.ids = [];
    this.priorities.clear();
  }
}
