/**
 * Failed sign-ins per client address, in memory: after `max` failures within `windowMs` of the
 * first one, every further attempt from that address (right token or not, so guessing learns
 * nothing) is refused until the window ends. Modest on purpose — it slows guessing of a weak token
 * without a datastore; strong random tokens are the real defence. Per process: in the scaled shape
 * each app process counts on its own. Behind a reverse proxy every client shares the proxy's
 * address (Fastify's trustProxy is off, so X-Forwarded-For cannot be forged to dodge the limit).
 */
export interface LimiterOptions {
  max: number;
  windowMs: number;
  /** Most addresses remembered; beyond it the oldest windows are forgotten first. */
  maxKeys: number;
}

interface Window {
  start: number;
  failures: number;
}

export class FailureLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly opts: LimiterOptions;

  constructor(opts: Partial<LimiterOptions> = {}) {
    this.opts = { max: 10, windowMs: 60_000, maxKeys: 10_000, ...opts };
  }

  /** Seconds until `key` may try again; 0 when it may try now. */
  retryAfterS(key: string, now: number): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const end = w.start + this.opts.windowMs;
    if (now >= end) {
      this.windows.delete(key);
      return 0;
    }
    return w.failures >= this.opts.max ? Math.max(1, Math.ceil((end - now) / 1000)) : 0;
  }

  fail(key: string, now: number): void {
    const w = this.windows.get(key);
    if (w && now < w.start + this.opts.windowMs) {
      w.failures++;
      return;
    }
    this.windows.delete(key);
    this.windows.set(key, { start: now, failures: 1 });
    if (this.windows.size > this.opts.maxKeys) this.prune(now);
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now >= w.start + this.opts.windowMs) this.windows.delete(k);
    // Still full of live windows: forget the oldest (Map keeps insertion order).
    for (const k of this.windows.keys()) {
      if (this.windows.size <= this.opts.maxKeys) break;
      this.windows.delete(k);
    }
  }
}
