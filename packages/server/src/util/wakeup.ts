/**
 * A one-shot-at-a-time wake-up: `notify()` before `wait()` is remembered, so a listener that
 * subscribes, reads the store, then waits can never miss an event published in between.
 */
export class Wakeup {
  private pending = false;
  private resolver: (() => void) | null = null;

  notify(): void {
    if (this.resolver) {
      const r = this.resolver;
      this.resolver = null;
      r();
    } else this.pending = true;
  }

  /** Resolves true when notified, false on timeout or abort. */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    if (signal?.aborted || ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.resolver = null;
        resolve(v);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.resolver = () => done(true);
    });
  }
}
