/**
 * A per-endpoint concurrency limit shared by every OCR worker thread of one process.
 *
 * Module state is per thread, so an in-thread semaphore lets N threads each send `limit` requests.
 * Here the main thread creates one SharedArrayBuffer (`createSharedLimits`) and hands it to every
 * thread it starts; the threads take and free slots in it with atomics.
 *
 * Layout per endpoint: `[generation, cell_0 … cell_{slots-1}]` (Int32). A cell is 0 when free or
 * holds the owner id of the thread using it. Taking a slot is a single compareExchange 0 → owner,
 * so there is no moment where a slot is taken but not attributed: when a thread dies holding
 * slots, the main thread frees exactly its cells (`releaseOwner`) — nothing leaks and nothing is
 * freed twice. Every release bumps `generation` and notifies it; waiters sleep on it with
 * `Atomics.waitAsync` (the thread's event loop keeps running).
 */
import type { Config } from '@ocrflow/core';
import type { EndpointLimiter } from './endpoint-limiter.types.ts';

/** Structured-cloneable: pass it in `workerData`. */
export interface SharedLimits {
  buffer: SharedArrayBuffer;
  endpoints: { url: string; offset: number; slots: number }[];
}

/**
 * A waiter re-checks at least this often, so a slot freed by `releaseOwner` in a way it missed
 * (it should not: that also notifies) still gets noticed; an abort is handled at once regardless.
 */
const RECHECK_MS = 250;

type WaitResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
// Atomics.waitAsync (V8, Node ≥ 16) is not in the ES2023 lib this project compiles against.
const waitAsync = (Atomics as unknown as { waitAsync: (a: Int32Array, index: number, value: number, timeoutMs: number) => WaitResult }).waitAsync;

/** One region per distinct, non-empty endpoint URL, with `limit` slots. */
export function createSharedLimits(endpoints: { url: string; limit: number }[]): SharedLimits {
  const out: SharedLimits['endpoints'] = [];
  let offset = 0;
  for (const { url, limit } of endpoints) {
    if (!url || out.some((e) => e.url === url)) continue;
    const slots = Math.max(1, Math.floor(limit));
    out.push({ url, offset, slots });
    offset += 1 + slots;
  }
  return { buffer: new SharedArrayBuffer(Math.max(1, offset) * 4), endpoints: out };
}

/** The limits of the configured remote endpoints: vlm and ppstructure share OCRFLOW_VLM_CONCURRENCY. */
export function remoteLimitsFromConfig(c: Pick<Config, 'vlmBaseUrl' | 'ppstructureUrl' | 'vlmConcurrency'>): SharedLimits {
  return createSharedLimits([
    { url: c.vlmBaseUrl, limit: c.vlmConcurrency },
    { url: c.ppstructureUrl, limit: c.vlmConcurrency },
  ]);
}

function region(limits: SharedLimits, url: string): SharedLimits['endpoints'][number] | undefined {
  return limits.endpoints.find((e) => e.url === url);
}

export function hasSharedLimit(limits: SharedLimits, url: string): boolean {
  return region(limits, url) !== undefined;
}

/** Slots of `url` in use right now, over all threads (diagnostics and tests). */
export function sharedInUse(limits: SharedLimits, url: string): number {
  const r = region(limits, url);
  if (!r) return 0;
  const a = new Int32Array(limits.buffer);
  let n = 0;
  for (let i = 0; i < r.slots; i++) if (Atomics.load(a, r.offset + 1 + i) !== 0) n++;
  return n;
}

/**
 * Free every slot `owner` holds, on every endpoint, and wake the waiters. Call it only once the
 * owner's thread has exited (it can no longer touch its cells). Returns how many were freed.
 */
export function releaseOwner(limits: SharedLimits, owner: number): number {
  const a = new Int32Array(limits.buffer);
  let freed = 0;
  for (const r of limits.endpoints) {
    let here = 0;
    for (let i = 0; i < r.slots; i++) if (Atomics.compareExchange(a, r.offset + 1 + i, owner, 0) === owner) here++;
    if (here) {
      Atomics.add(a, r.offset, 1);
      Atomics.notify(a, r.offset);
      freed += here;
    }
  }
  return freed;
}

/** The limiter of one endpoint in one thread; `owner` must be unique among live threads and > 0. */
export class SharedSemaphore implements EndpointLimiter {
  private readonly a: Int32Array;
  private readonly gen: number;
  private readonly slots: number;

  constructor(
    limits: SharedLimits,
    url: string,
    private readonly owner: number,
    /** Effective limit: at most the slots the main thread allocated. */
    public limit: number,
  ) {
    const r = region(limits, url);
    if (!r) throw new Error(`no shared limit for ${url}`);
    if (!Number.isInteger(owner) || owner <= 0) throw new Error('owner must be a positive integer');
    this.a = new Int32Array(limits.buffer);
    this.gen = r.offset;
    this.slots = r.slots;
  }

  get inUse(): number {
    let n = 0;
    for (let i = 0; i < this.slots; i++) if (Atomics.load(this.a, this.gen + 1 + i) !== 0) n++;
    return n;
  }

  private tryTake(): number {
    const n = Math.min(this.slots, Math.max(1, this.limit));
    for (let i = 0; i < n; i++) {
      const cell = this.gen + 1 + i;
      if (Atomics.compareExchange(this.a, cell, 0, this.owner) === 0) return cell;
    }
    return -1;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    let cell: number;
    for (;;) {
      // Read the generation before trying: a release in between changes it, so the wait below
      // returns at once instead of sleeping through the only wake-up.
      const seen = Atomics.load(this.a, this.gen);
      cell = this.tryTake();
      if (cell >= 0) break;
      await this.waitChange(seen, signal);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      Atomics.compareExchange(this.a, cell, this.owner, 0);
      Atomics.add(this.a, this.gen, 1);
      Atomics.notify(this.a, this.gen);
    };
  }

  /**
   * Until the generation moves, `RECHECK_MS` pass or the signal aborts. The timer also keeps the
   * thread alive: a pending `Atomics.waitAsync` alone does not hold Node's event loop open.
   */
  private waitChange(seen: number, signal?: AbortSignal): Promise<void> {
    const r = waitAsync(this.a, this.gen, seen, RECHECK_MS);
    if (!r.async) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, RECHECK_MS);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      void r.value.then(() => {
        done();
        resolve();
      });
    });
  }
}
