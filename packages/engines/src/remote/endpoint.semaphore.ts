/**
 * A concurrency limit per remote endpoint (a VLM endpoint, a PaddleOCR service), shared by every
 * job of the process: across worker threads when the main thread shared its limits (see
 * shared.semaphore.ts), else per thread. The requests themselves, with their time-outs and
 * retries, are core's `remoteRequest`.
 */
import type { EndpointLimiter } from './endpoint-limiter.types.ts';
import { hasSharedLimit, SharedSemaphore, type SharedLimits } from './shared.semaphore.ts';

/** A counting semaphore; waiters are served in arrival order and leave the queue when aborted. */
export class Semaphore implements EndpointLimiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(public limit: number) {}

  get inUse(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) this.active++;
    else {
      // The releaser hands its slot over directly (`active` stays), so a newcomer arriving between
      // the release and this waiter's wake-up cannot take it.
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(go);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal!.reason);
        };
        this.waiters.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.active <= this.limit ? this.waiters.shift() : undefined;
      if (next) next();
      else this.active--;
    };
  }
}

const semaphores = new Map<string, EndpointLimiter>();
let shared: { limits: SharedLimits; owner: number } | null = null;

/**
 * Use the process-wide limits the main thread created (`createSharedLimits`) in this worker
 * thread, as `owner` (unique per thread, so the main thread can free the slots of a thread that
 * died holding them). Endpoints without a shared region keep an in-thread semaphore.
 */
export function useSharedLimits(limits: SharedLimits, owner: number): void {
  shared = { limits, owner };
  semaphores.clear();
}

/**
 * The one limiter of an endpoint: shared by all worker threads of the process when this thread
 * was given shared limits for it, otherwise this thread's own semaphore (CLI `scan`, engines run
 * in-process by tests). The latest configured limit wins (capped by the shared slots).
 */
export function endpointSemaphore(endpoint: string, limit: number): EndpointLimiter {
  let s = semaphores.get(endpoint);
  if (!s) {
    s = shared && hasSharedLimit(shared.limits, endpoint) ? new SharedSemaphore(shared.limits, endpoint, shared.owner, limit) : new Semaphore(limit);
    semaphores.set(endpoint, s);
  } else s.limit = limit;
  return s;
}
