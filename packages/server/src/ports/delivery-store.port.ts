/**
 * DeliveryStore: the durable webhook outbox. A delivery is one event of one job for one
 * target URL; its rows are written in the same transaction as the job's terminal transition
 * (`insertInTx` from a JobStore terminal hook), so a job never ends without its deliveries. A
 * dispatcher claims due deliveries with a lease (a conditional UPDATE, so with several processes
 * each delivery is attempted by one process at a time), records every attempt and reschedules
 * or ends the delivery. Implemented once with Kysely (`adapters/sql/sql.deliveries.ts`).
 */
import type { StoreTx } from './job-store.port.ts';

export const WEBHOOK_EVENTS = ['finished', 'failed', 'canceled', 'progress'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Events a job's webhook gets when it does not say (`webhook_events`). */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['finished', 'failed', 'canceled'];

/** pending → sending (leased) → delivered | pending (retry later) | dead (schedule used up). */
export const DELIVERY_STATES = ['pending', 'sending', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * Why the delivery exists: the job's own `webhook_url`, a global endpoint, a redeliver call, or the
 * end of a batch (its body built when the batch ended, recorded with the document that ended it).
 */
export type DeliverySource = 'job' | 'global' | 'redeliver' | 'batch';

export interface DeliveryRecord {
  id: string;
  /** The job's tenant. */
  tenant: string;
  /** `webhook-id` of the message: the same on every attempt, and on a redelivery of the same event to the same URL. */
  messageId: string;
  jobId: string;
  eventSeq: number;
  eventType: WebhookEvent;
  /** When the event happened (the body's `timestamp`). */
  eventTime: number;
  url: string;
  source: DeliverySource;
  state: DeliveryState;
  /** Finished attempts (an attempt cut short by a crash is not counted). */
  attemptCount: number;
  /** When a pending delivery is due; null once delivered or dead. */
  nextAttemptAt: number | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** The exact body, fixed at the first attempt so every retry is byte-identical. */
  payload: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  redeliveryOf: string | null;
}

export interface AttemptRecord {
  deliveryId: string;
  /** 1, 2, 3, … per delivery. */
  n: number;
  startedAt: number;
  durationMs: number;
  /** Null when no HTTP answer came (time-out, refused connection, refused target). */
  httpStatus: number | null;
  error: string | null;
  /** The start of the response body (capped). */
  responseExcerpt: string | null;
  /** The process that made the attempt. */
  owner: string;
}

export interface NewDelivery {
  id: string;
  /** The job's tenant. */
  tenant: string;
  messageId: string;
  jobId: string;
  eventSeq: number;
  eventType: WebhookEvent;
  eventTime: number;
  url: string;
  source: DeliverySource;
  /** Unique when set: the same event is never queued twice for one URL (progress events come from a bus that may repeat). */
  dedupeKey: string | null;
  payload: string | null;
  redeliveryOf: string | null;
  now: number;
}

export interface AttemptOutcome {
  ok: boolean;
  startedAt: number;
  durationMs: number;
  httpStatus: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

/** What happens to a delivery after an attempt. */
export type NextStep = { state: 'delivered' } | { state: 'pending'; nextAttemptAt: number } | { state: 'dead' };

export interface AttemptRecordInput {
  id: string;
  /** attemptCount + 1 at claim time. */
  n: number;
  outcome: AttemptOutcome;
  next: NextStep;
  /** The body just sent, stored when the delivery has none yet (its first attempt). */
  payload?: string;
}

export interface DeliveryWithAttempts extends DeliveryRecord {
  attempts: AttemptRecord[];
}

export interface DeliveryStore {
  /** Inside a JobStore transaction (terminal hook): rolls back with the transition. */
  insertInTx(tx: StoreTx, rows: NewDelivery[]): Promise<void>;
  /** Outside a transition (progress events, redeliveries); rows whose dedupe key exists are skipped. Returns how many were inserted. */
  insert(rows: NewDelivery[]): Promise<number>;
  /**
   * Lease up to `limit` due deliveries: pending ones whose time has come, and sending ones whose
   * lease expired (their process died mid-attempt).
   */
  claimDue(owner: string, leaseUntil: number, now: number, limit: number): Promise<DeliveryRecord[]>;
  /** The earliest time a delivery becomes due (pending time or expiring lease); null when none. */
  nextDueAt(): Promise<number | null>;
  /**
   * Record finished attempts (one transaction for all: SQLite pays an fsync per commit) and move
   * each delivery on, only while `owner` still holds its lease; per item, false when it did not
   * (nothing written for it).
   */
  recordAttempts(owner: string, items: AttemptRecordInput[], now: number): Promise<boolean[]>;
  /** Hand back this process's leases (graceful shutdown): those deliveries are due again at once. */
  release(owner: string, now: number): Promise<number>;
  /** Single-process start-up: every `sending` delivery was left by a dead process; make it due now. */
  reclaimAll(now: number): Promise<number>;
  get(id: string): Promise<DeliveryRecord | null>;
  /** Oldest first, each with its attempts. */
  listForJob(jobId: string): Promise<DeliveryWithAttempts[]>;
  countByState(): Promise<Record<DeliveryState, number>>;
}
