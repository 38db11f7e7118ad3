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
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import type { Logger } from 'pino';
import type { AttemptOutcome, AttemptRecordInput, DeliveryRecord, DeliveryStore, NextStep } from '../ports/delivery-store.port.ts';
import { Wakeup } from '../util/wakeup.ts';
import { retryDelay } from './webhook.schedule.ts';
import { AttemptAborted, type WebhookSender } from './webhook.sender.ts';

export const POLL_MS = 1000;
const LEASE_MARGIN_MS = 15_000;
const ERROR_BACKOFF_MS = 1000;
/**
 * SQLite commits cost an fsync each, on the event loop. Under load the dispatcher therefore
 * claims slots in groups (waiting up to CLAIM_GATHER_MS for a quarter of them to free up rather
 * than claiming one by one) and records attempts that end within RECORD_FLUSH_MS of each other in
 * one transaction. Neither delay applies when the dispatcher is idle.
 */
const CLAIM_GATHER_MS = 5;
const RECORD_FLUSH_MS = 5;
const RECORD_BATCH_MAX = 64;

/** Attempts that end close together are recorded in one commit. */
class RecordBatch {
  private items: { input: AttemptRecordInput; resolve: (ok: boolean) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: DeliveryStore,
    private readonly owner: string,
    private readonly now: () => number,
  ) {}

  record(input: AttemptRecordInput): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.items.push({ input, resolve, reject });
      if (this.items.length >= RECORD_BATCH_MAX) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), RECORD_FLUSH_MS);
    });
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.items.splice(0);
    if (!batch.length) return;
    try {
      const ok = await this.store.recordAttempts(
        this.owner,
        batch.map((b) => b.input),
        this.now(),
      );
      batch.forEach((b, i) => b.resolve(ok[i] ?? false));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}

export interface DispatcherObserver {
  attempt?(d: DeliveryRecord, o: AttemptOutcome, next: NextStep): void;
}

export interface DispatcherDeps {
  store: DeliveryStore;
  sender: WebhookSender;
  /** The bodies of deliveries' first attempts, in their order; null where the job no longer exists. */
  render(ds: readonly DeliveryRecord[]): Promise<(string | null)[]>;
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
  /** Attempts answered whose record is not committed yet. */
  private readonly recording = new Set<Promise<void>>();
  private readonly wake = new Wakeup();
  private readonly stopping = new AbortController();
  private loopDone: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly records: RecordBatch;

  constructor(private readonly d: DispatcherDeps) {
    this.now = d.now ?? Date.now;
    this.records = new RecordBatch(d.store, this.owner, this.now);
    // Every attempt in flight listens for shutdown on this one signal (and removes itself after).
    setMaxListeners(d.concurrency + 16, this.stopping.signal);
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
    await this.records.flush();
    await Promise.allSettled([...this.recording]);
    const n = await this.d.store.release(this.owner, this.now()).catch((e) => (this.d.log.error({ err: e }, 'handing back webhook leases failed'), 0));
    if (n) this.d.log.info({ deliveries: n }, 'webhook deliveries in flight handed back');
    await this.d.sender.close().catch((err) => this.d.log.warn({ err }, 'closing the webhook sender failed'));
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    const group = Math.max(1, Math.ceil(this.d.concurrency / 4));
    let gathered = false;
    while (!signal.aborted) {
      try {
        const free = this.d.concurrency - this.inFlight.size;
        if (free > 0 && free < group && !gathered) {
          // Busy: let a few more slots free up so one claim fills several.
          gathered = true;
          await new Promise<void>((r) => setTimeout(r, CLAIM_GATHER_MS));
          continue;
        }
        gathered = false;
        let claimed: DeliveryRecord[] = [];
        if (free > 0) {
          const now = this.now();
          claimed = await this.d.store.claimDue(this.owner, now + this.d.timeoutMs + LEASE_MARGIN_MS, now, free);
          const bodies = await this.renderFirstAttempts(claimed);
          for (const d of claimed) this.track(d, bodies.get(d.id));
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

  /** The bodies of the claimed deliveries never attempted, rendered together (on failure each attempt renders its own). */
  private async renderFirstAttempts(claimed: DeliveryRecord[]): Promise<Map<string, string | null>> {
    const fresh = claimed.filter((d) => d.payload === null);
    if (!fresh.length) return new Map();
    try {
      const bodies = await this.d.render(fresh);
      return new Map(fresh.map((d, i) => [d.id, bodies[i] ?? null]));
    } catch (e) {
      this.d.log.warn({ err: e, deliveries: fresh.length }, 'rendering webhook bodies together failed; each attempt renders its own');
      return new Map();
    }
  }

  private track(d: DeliveryRecord, rendered: string | null | undefined): void {
    const p = this.attempt(d, rendered)
      .catch((e) => {
        if (!(e instanceof AttemptAborted)) this.d.log.error({ err: e, delivery: d.id }, 'webhook attempt failed unexpectedly');
      })
      .finally(() => {
        this.inFlight.delete(d.id);
        this.wake.notify();
      });
    this.inFlight.set(d.id, p);
  }

  /** `rendered`: the body made for this first attempt with its group (undefined: not made yet). */
  private async attempt(d: DeliveryRecord, rendered: string | null | undefined): Promise<void> {
    const { log } = this.d;
    const n = d.attemptCount + 1;
    // The body is built at the first attempt and stored with its record: retries resend those bytes.
    // (If the process dies mid-attempt it is built again from the same stored job and event.)
    let body = d.payload;
    const fresh = body === null;
    if (body === null) {
      body = rendered !== undefined ? rendered : ((await this.d.render([d]))[0] ?? null);
      if (body === null) {
        // The job was deleted (its deliveries go with it); nothing left to send.
        await this.records.record({
          id: d.id,
          n,
          outcome: { ok: false, startedAt: this.now(), durationMs: 0, httpStatus: null, error: 'the job no longer exists', responseExcerpt: null },
          next: { state: 'dead' },
        });
        return;
      }
    }
    const outcome = await this.d.sender.send(d.url, body, d.messageId, this.stopping.signal);
    const now = this.now();
    let next: NextStep;
    if (outcome.ok) next = { state: 'delivered' };
    else {
      const delay = retryDelay(this.d.schedule, n);
      next = delay === null ? { state: 'dead' } : { state: 'pending', nextAttemptAt: now + delay };
    }
    // The slot is free once the receiver has answered: the record is committed with others, while
    // the next attempt already runs (the row keeps its lease until then, so nobody else takes it).
    const recorded = this.records
      .record({ id: d.id, n, outcome, next, ...(fresh ? { payload: body } : {}) })
      .then((owned) => {
        if (!owned) return log.warn({ delivery: d.id, attempt: n }, 'webhook attempt finished after its lease was taken over; not recorded');
        if (!outcome.ok)
          log.info({ delivery: d.id, job: d.jobId, attempt: n, status: outcome.httpStatus, error: outcome.error, next: next.state }, 'webhook attempt failed');
        this.d.observer?.attempt?.(d, outcome, next);
      })
      .catch((e) => log.error({ err: e, delivery: d.id }, 'recording a webhook attempt failed; the delivery is due again when its lease ends'))
      .finally(() => this.recording.delete(recorded));
    this.recording.add(recorded);
  }
}
