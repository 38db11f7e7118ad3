/**
 * Failed token attempts per client address, in memory, shared by every surface (the service API,
 * the compatibility routes, the workbench's Bearer header and sign-in): after `max` failures within
 * `windowMs` of the first one, further attempts from that address are refused with 429 until the
 * window ends — a new token included, so guessing learns nothing.
 *
 * Credentials that already worked from that address are not held back (`succeed`): a program
 * behind the same proxy as a guesser keeps its access, so one client's mistakes cannot lock the
 * others out, while a guess (a token never seen from there) cannot get through. Only SHA-256
 * digests of credentials are kept, at most MAX_KNOWN per address. Modest on purpose — it slows guessing of a weak token
 * without a datastore; strong random tokens are the real defence. Per process: in the scaled shape
 * each app process counts on its own. Behind a reverse proxy every client shares the proxy's
 * address (Fastify's trustProxy is off, so X-Forwarded-For cannot be forged to dodge the limit).
 */
import { createHash } from 'node:crypto';

const MAX_KNOWN = 32;
const digest = (credential: string) => createHash('sha256').update(credential, 'utf8').digest('base64url');

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
  /** Credentials that authenticated from each address. */
  private readonly known = new Map<string, Set<string>>();
  private readonly opts: LimiterOptions;

  constructor(opts: Partial<LimiterOptions> = {}) {
    this.opts = { max: 10, windowMs: 60_000, maxKeys: 10_000, ...opts };
  }

  /**
   * Seconds until `key` may try again; 0 when it may try now — always 0 for a `credential` that
   * already worked from `key` (see `succeed`).
   */
  retryAfterS(key: string, now: number, credential?: string): number {
    if (credential !== undefined && this.known.get(key)?.has(digest(credential))) return 0;
    return this.blockedFor(key, now);
  }

  /** Remember that `credential` worked from `key` (call only when it was let in). */
  succeed(key: string, credential: string): void {
    const d = digest(credential);
    const k = this.known.get(key) ?? new Set<string>();
    // Most recently used last (Map and Set keep insertion order): the oldest are forgotten first.
    this.known.delete(key);
    this.known.set(key, k);
    k.delete(d);
    k.add(d);
    if (k.size > MAX_KNOWN) k.delete(k.values().next().value as string);
    for (const old of this.known.keys()) {
      if (this.known.size <= this.opts.maxKeys) break;
      this.known.delete(old);
    }
  }

  private blockedFor(key: string, now: number): number {
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
