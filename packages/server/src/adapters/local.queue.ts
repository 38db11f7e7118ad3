/**
 * The in-process queue of the embedded shape: job ids in one FIFO per priority, plus waiting
 * workers. Not durable by itself — the store is; `init` reloads it from the store at start-up.
 *
 * Every operation but `position` costs the same whether 10 or 1 000 000 jobs wait: membership is a
 * Map, each priority a FIFO with a moving head, and `remove` leaves a tombstone that `next` skips
 * (an entry counts only while the Map still holds it with the same generation). A single sorted
 * list made each submission scan and splice the whole queue, and a start-up with many queued jobs
 * quadratic.
 */
import type { EnqueueOptions, JobQueue } from '../ports/job-queue.port.ts';

interface Entry {
  id: string;
  gen: number;
}

/** A FIFO over an array whose consumed head is dropped once it is most of the array. */
class Fifo {
  private items: Entry[] = [];
  private head = 0;
  /** Entries in it that are still queued (not removed). */
  live = 0;

  push(e: Entry): void {
    this.items.push(e);
  }

  shift(): Entry | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  /** The entries still in it, oldest first (tombstones included). */
  *entries(): Generator<Entry> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }
}

export class LocalQueue implements JobQueue {
  readonly kind = 'local' as const;
  /** One FIFO per priority; higher priorities are served first. */
  private readonly fifos = new Map<number, Fifo>();
  /** Every queued id: its priority and the generation of its live entry. */
  private readonly queued = new Map<string, { priority: number; gen: number }>();
  private gen = 0;
  private readonly waiters: ((id: string | null) => void)[] = [];
  private closed = false;

  /** `priorityOf`: a job's own priority when `enqueue` is not told (re-queued and recovered jobs). */
  constructor(private readonly priorityOf: (jobId: string) => Promise<number> = async () => 0) {}

  async init(queuedIds: string[]): Promise<void> {
    for (const id of queuedIds) await this.enqueue(id);
  }

  async enqueue(jobId: string, opts: EnqueueOptions = {}): Promise<void> {
    if (this.closed || this.queued.has(jobId)) return;
    const w = this.waiters.shift();
    if (w) return w(jobId);
    const p = opts.priority ?? (await this.priorityOf(jobId));
    if (this.closed || this.queued.has(jobId)) return; // enqueued meanwhile
    // A worker may have started waiting while the priority was read: it gets the job now (pushed
    // to the list instead, the job would wait there until some other job was enqueued).
    const late = this.waiters.shift();
    if (late) return late(jobId);
    const gen = ++this.gen;
    let fifo = this.fifos.get(p);
    if (!fifo) this.fifos.set(p, (fifo = new Fifo()));
    fifo.push({ id: jobId, gen });
    fifo.live++;
    this.queued.set(jobId, { priority: p, gen });
  }

  /** Takes the oldest id of the highest priority that has one. */
  private take(): string | undefined {
    for (const p of [...this.fifos.keys()].sort((a, b) => b - a)) {
      const fifo = this.fifos.get(p)!;
      for (let e = fifo.shift(); e; e = fifo.shift()) {
        if (this.queued.get(e.id)?.gen !== e.gen) continue; // removed (or queued again later)
        this.queued.delete(e.id);
        fifo.live--;
        if (fifo.live === 0) this.fifos.delete(p);
        return e.id;
      }
      this.fifos.delete(p);
    }
    return undefined;
  }

  next(signal: AbortSignal): Promise<string | null> {
    if (this.closed || signal.aborted) return Promise.resolve(null);
    const id = this.take();
    if (id !== undefined) return Promise.resolve(id);
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
    const q = this.queued.get(jobId);
    if (!q) return;
    this.queued.delete(jobId);
    const fifo = this.fifos.get(q.priority);
    if (fifo) fifo.live--;
  }

  async position(jobId: string): Promise<number | null> {
    const q = this.queued.get(jobId);
    if (!q) return null;
    let ahead = 0;
    for (const [p, fifo] of this.fifos) if (p > q.priority) ahead += fifo.live;
    for (const e of this.fifos.get(q.priority)?.entries() ?? []) {
      if (e.id === jobId && e.gen === q.gen) return ahead + 1;
      if (this.queued.get(e.id)?.gen === e.gen) ahead++;
    }
    return null;
  }

  async size(): Promise<number> {
    return this.queued.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(null);
    this.fifos.clear();
    this.queued.clear();
  }
}
