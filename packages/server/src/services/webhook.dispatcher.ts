/**
 * The webhook dispatcher: runs in every process that runs the API or workers, off the job's path.
 * It leases due deliveries from the outbox (at most OCRFLOW_WEBHOOK_CONCURRENCY in flight per
 * process), sends each attempt, records it, and reschedules (back-off with jitter) or ends the
 * delivery. It sleeps until the next delivery is due, at most POLL_MS (other processes may add
 * deliveries), and wakes at once when this process commits a new one (`nudge`).
 *
 * A lease lasts the attempt's time-out plus a margin; a process that dies mid-attempt leaves its
 * lease to expire and the delivery is due again (at start-up of the single-process shape at once).
 * Shutdown aborts attempts in flight and hands their leases back.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { AttemptOutcome, DeliveryRecord, DeliveryStore, NextStep } from '../ports/delivery-store.port.ts';
import { Wakeup } from '../util/wakeup.ts';
import { retryDelay } from './webhook.schedule.ts';
import { AttemptAborted, type WebhookSender } from './webhook.sender.ts';

export const POLL_MS = 1000;
const LEASE_MARGIN_MS = 15_000;
const ERROR_BACKOFF_MS = 1000;

export interface DispatcherObserver {
  attempt?(d: DeliveryRecord, o: AttemptOutcome, next: NextStep): void;
}

export interface DispatcherDeps {
  store: DeliveryStore;
  sender: WebhookSender;
  /** The body of a delivery's first attempt; null when the job no longer exists. */
  render(d: DeliveryRecord): Promise<string | null>;
  schedule: readonly number[];
  concurrency: number;
  timeoutMs: number;
  log: Logger;
  now?: () => number;
  observer?: DispatcherObserver;
}

export class WebhookDispatcher {
  readonly owner = `${os.hostname()}:${process.pid}:wh-${randomBytes(3).toString('hex')}`;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly wake = new Wakeup();
  private readonly stopping = new AbortController();
  private loopDone: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly d: DispatcherDeps) {
    this.now = d.now ?? Date.now;
  }

  get activeAttempts(): number {
    return this.inFlight.size;
  }

  start(): void {
    this.loopDone ??= this.loop();
  }

  /** Something became due (a new delivery was committed in this process). */
  nudge(): void {
    this.wake.notify();
  }

  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.wake.notify();
    await this.loopDone;
    await Promise.allSettled([...this.inFlight.values()]);
    const n = await this.d.store.release(this.owner, this.now()).catch((e) => (this.d.log.error({ err: e }, 'handing back webhook leases failed'), 0));
    if (n) this.d.log.info({ deliveries: n }, 'webhook deliveries in flight handed back');
    await this.d.sender.close().catch(() => {});
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        const free = this.d.concurrency - this.inFlight.size;
        let claimed: DeliveryRecord[] = [];
        if (free > 0) {
          const now = this.now();
          claimed = await this.d.store.claimDue(this.owner, now + this.d.timeoutMs + LEASE_MARGIN_MS, now, free);
          for (const d of claimed) this.track(d);
          if (claimed.length === free) continue; // more may be due; take them as slots free up
        }
        let waitMs = POLL_MS;
        if (this.inFlight.size < this.d.concurrency) {
          const next = await this.d.store.nextDueAt();
          // A due time in the past that we could not claim belongs to a lease held elsewhere; do not spin on it.
          if (next !== null) waitMs = Math.min(POLL_MS, Math.max(claimed.length ? 0 : 20, next - this.now()));
        }
        if (waitMs > 0) await this.wake.wait(waitMs, signal);
      } catch (e) {
        if (signal.aborted) break;
        this.d.log.error({ err: e }, 'webhook dispatcher error');
        await this.wake.wait(ERROR_BACKOFF_MS, signal);
      }
    }
  }

  private track(d: DeliveryRecord): void {
    const p = this.attempt(d)
      .catch((e) => {
        if (!(e instanceof AttemptAborted)) this.d.log.error({ err: e, delivery: d.id }, 'webhook attempt failed unexpectedly');
      })
      .finally(() => {
        this.inFlight.delete(d.id);
        this.wake.notify();
      });
    this.inFlight.set(d.id, p);
  }

  private async attempt(d: DeliveryRecord): Promise<void> {
    const { store, log } = this.d;
    const n = d.attemptCount + 1;
    let body = d.payload;
    if (body === null) {
      body = await this.d.render(d);
      if (body === null) {
        // The job was deleted (its deliveries go with it); nothing left to send.
        await store.recordAttempt(d.id, this.owner, n, { ok: false, startedAt: this.now(), durationMs: 0, httpStatus: null, error: 'the job no longer exists', responseExcerpt: null }, { state: 'dead' }, this.now());
        return;
      }
      if (!(await store.setPayload(d.id, this.owner, body))) return; // lease lost meanwhile
    }
    const outcome = await this.d.sender.send(d.url, body, d.messageId, this.stopping.signal);
    const now = this.now();
    let next: NextStep;
    if (outcome.ok) next = { state: 'delivered' };
    else {
      const delay = retryDelay(this.d.schedule, n);
      next = delay === null ? { state: 'dead' } : { state: 'pending', nextAttemptAt: now + delay };
    }
    if (!(await store.recordAttempt(d.id, this.owner, n, outcome, next, now))) {
      log.warn({ delivery: d.id, attempt: n }, 'webhook attempt finished after its lease was taken over; not recorded');
      return;
    }
    if (!outcome.ok) log.info({ delivery: d.id, job: d.jobId, attempt: n, status: outcome.httpStatus, error: outcome.error, next: next.state }, 'webhook attempt failed');
    this.d.observer?.attempt?.(d, outcome, next);
  }
}
