/**
 * The webhook outbox on Kysely, beside the JobStore and on the same database (so the terminal hook
 * can write into the job transition's transaction). Dialect-neutral like `sql.store.ts`: the claim
 * is one conditional `UPDATE … WHERE id IN (SELECT … LIMIT n) AND <still due> RETURNING *`. On
 * PostgreSQL two processes may pick the same ids in their subqueries; the second UPDATE then
 * waits for the first's row lock and re-checks `<still due>` against the committed row (READ
 * COMMITTED), which no longer holds — so each delivery is leased by exactly one process. SQLite
 * has a single writer, so the question does not arise there.
 */
import type { ExpressionBuilder, Expression, Kysely, Selectable, SqlBool } from 'kysely';
import type { StoreTx } from '../../ports/job-store.port.ts';
import {
  DELIVERY_STATES,
  type AttemptRecord,
  type AttemptRecordInput,
  type DeliveryRecord,
  type DeliveryState,
  type DeliveryStore,
  type DeliverySource,
  type DeliveryWithAttempts,
  type NewDelivery,
  type WebhookEvent,
} from '../../ports/delivery-store.port.ts';
import { sqlTx, type Database } from './sql.schema.ts';
import type { WebhookAttemptsTable, WebhookDeliveriesTable } from './deliveries.schema.ts';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

export function rowToDelivery(r: Selectable<WebhookDeliveriesTable>): DeliveryRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    messageId: r.message_id,
    jobId: r.job_id,
    eventSeq: num(r.event_seq),
    eventType: r.event_type as WebhookEvent,
    eventTime: num(r.event_time),
    url: r.url,
    source: r.source as DeliverySource,
    state: r.state as DeliveryState,
    attemptCount: num(r.attempt_count),
    nextAttemptAt: numOrNull(r.next_attempt_at),
    leaseOwner: r.lease_owner,
    leaseUntil: numOrNull(r.lease_until),
    payload: r.payload,
    lastStatus: r.last_status === null ? null : num(r.last_status),
    lastError: r.last_error,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    deliveredAt: numOrNull(r.delivered_at),
    redeliveryOf: r.redelivery_of,
  };
}

function rowToAttempt(r: Selectable<WebhookAttemptsTable>): AttemptRecord {
  return {
    deliveryId: r.delivery_id,
    n: num(r.n),
    startedAt: num(r.started_at),
    durationMs: num(r.duration_ms),
    httpStatus: r.http_status === null ? null : num(r.http_status),
    error: r.error,
    responseExcerpt: r.response_excerpt,
    owner: r.owner,
  };
}

function toRow(d: NewDelivery) {
  return {
    id: d.id,
    tenant: d.tenant,
    message_id: d.messageId,
    job_id: d.jobId,
    event_seq: d.eventSeq,
    event_type: d.eventType,
    event_time: d.eventTime,
    url: d.url,
    source: d.source,
    dedupe_key: d.dedupeKey,
    state: 'pending',
    attempt_count: 0,
    next_attempt_at: d.now,
    lease_owner: null,
    lease_until: null,
    payload: d.payload,
    last_status: null,
    last_error: null,
    created_at: d.now,
    updated_at: d.now,
    delivered_at: null,
    redelivery_of: d.redeliveryOf,
  };
}

type DeliveriesEb = ExpressionBuilder<Database, 'webhook_deliveries'>;

/** Due now: pending and its time has come, or leased by a process whose lease ran out. */
function dueAt(now: number) {
  return (eb: DeliveriesEb): Expression<SqlBool> =>
    eb.or([eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('state', '=', 'sending'), eb('lease_until', '<', now)])]);
}

export class SqlDeliveryStore implements DeliveryStore {
  /** `kind`: on PostgreSQL concurrent claimers skip each other's locked rows instead of queueing on them. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: 'sqlite' | 'postgres',
  ) {}

  async insertInTx(tx: StoreTx, rows: NewDelivery[]): Promise<void> {
    if (rows.length) await sqlTx(tx).insertInto('webhook_deliveries').values(rows.map(toRow)).execute();
  }

  async insert(rows: NewDelivery[]): Promise<number> {
    if (!rows.length) return 0;
    const r = await this.db
      .insertInto('webhook_deliveries')
      .values(rows.map(toRow))
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  }

  async claimDue(owner: string, leaseUntil: number, now: number, limit: number): Promise<DeliveryRecord[]> {
    if (limit <= 0) return [];
    const due = dueAt(now);
    const rows = await this.db
      .updateTable('webhook_deliveries')
      .set({ state: 'sending', lease_owner: owner, lease_until: leaseUntil, updated_at: now })
      .where('id', 'in', (eb) => {
        const q = eb.selectFrom('webhook_deliveries').select('id').where(due).orderBy('next_attempt_at').orderBy('id').limit(limit);
        // Without SKIP LOCKED every claimer picks the same first rows, waits for the winner's lock,
        // finds them taken and comes back empty: claims serialise on one process.
        return this.kind === 'postgres' ? q.forUpdate().skipLocked() : q;
      })
      .where(due)
      .returningAll()
      .execute();
    return rows.map(rowToDelivery).sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0));
  }

  async nextDueAt(): Promise<number | null> {
    const r = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => [
        eb.fn.min<number | string | null>(eb.case().when('state', '=', 'pending').then(eb.ref('next_attempt_at')).end()).as('pending'),
        eb.fn.min<number | string | null>(eb.case().when('state', '=', 'sending').then(eb.ref('lease_until')).end()).as('leased'),
      ])
      .where('state', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    const times = [r?.pending, r?.leased].filter((v): v is number | string => v !== null && v !== undefined).map(Number);
    return times.length ? Math.min(...times) : null;
  }

  async recordAttempts(owner: string, items: AttemptRecordInput[], now: number): Promise<boolean[]> {
    if (!items.length) return [];
    return this.db.transaction().execute(async (tx) => {
      const out: boolean[] = [];
      for (const { id, n, outcome: o, next, payload } of items) {
        const r = await tx
          .updateTable('webhook_deliveries')
          .set((eb) => ({
            ...(payload !== undefined ? { payload: eb.fn.coalesce('payload', eb.val(payload)) } : {}),
            state: next.state,
            attempt_count: n,
            next_attempt_at: next.state === 'pending' ? next.nextAttemptAt : null,
            lease_owner: null,
            lease_until: null,
            last_status: o.httpStatus,
            last_error: o.error,
            updated_at: now,
            ...(next.state === 'delivered' ? { delivered_at: now } : {}),
          }))
          .where('id', '=', id)
          .where('state', '=', 'sending')
          .where('lease_owner', '=', owner)
          .where('attempt_count', '=', n - 1)
          .executeTakeFirst();
        const owned = Number(r.numUpdatedRows) > 0;
        out.push(owned);
        if (!owned) continue;
        await tx
          .insertInto('webhook_attempts')
          .values({
            delivery_id: id,
            n,
            started_at: o.startedAt,
            duration_ms: Math.round(o.durationMs),
            http_status: o.httpStatus,
            error: o.error,
            response_excerpt: o.responseExcerpt,
            owner,
          })
          .execute();
      }
      return out;
    });
  }

  async release(owner: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ state: 'pending', lease_owner: null, lease_until: null, updated_at: now })
      .where('state', '=', 'sending')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async reclaimAll(now: number): Promise<number> {
    const r = await this.db
      .updateTable('webhook_deliveries')
      .set({ state: 'pending', lease_owner: null, lease_until: null, next_attempt_at: now, updated_at: now })
      .where('state', '=', 'sending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    const r = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowToDelivery(r) : null;
  }

  async listForJob(jobId: string): Promise<DeliveryWithAttempts[]> {
    const rows = await this.db.selectFrom('webhook_deliveries').selectAll().where('job_id', '=', jobId).orderBy('created_at').orderBy('id').execute();
    if (!rows.length) return [];
    const attempts = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('delivery_id')
      .orderBy('n')
      .execute();
    const byDelivery = new Map<string, AttemptRecord[]>();
    for (const a of attempts.map(rowToAttempt)) (byDelivery.get(a.deliveryId) ?? byDelivery.set(a.deliveryId, []).get(a.deliveryId)!).push(a);
    return rows.map((r) => ({ ...rowToDelivery(r), attempts: byDelivery.get(r.id) ?? [] }));
  }

  async countByState(): Promise<Record<DeliveryState, number>> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => ['state', eb.fn.countAll<number | string>().as('n')])
      .groupBy('state')
      .execute();
    const out = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
    for (const r of rows) if ((DELIVERY_STATES as readonly string[]).includes(r.state)) out[r.state as DeliveryState] = Number(r.n);
    return out;
  }
}
