/**
 * The BatchStore on Kysely, on the job store's database. A batch's end is decided under a lock on
 * its row: on PostgreSQL `SELECT … FOR UPDATE` makes two documents ending at once take turns, so
 * the second one's count (a new statement under READ COMMITTED) sees the first one's commit and
 * exactly one of them ends the batch. SQLite has a single writer, so the question does not arise.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { StoreTx } from '../../ports/job-store.port.ts';
import { JOB_STATUSES, type JobStatus, type Transition } from '../../ports/job.types.ts';
import {
  BatchKeyTakenError,
  type BatchCounts,
  type BatchDocument,
  type BatchEndedHook,
  type BatchEvent,
  type BatchEventType,
  type BatchMember,
  type BatchRecord,
  type BatchState,
  type BatchStore,
  type NewBatch,
} from '../../ports/batch-store.port.ts';
import type { BatchesTable } from './batches.schema.ts';
import { isUniqueViolation } from './sql.mappers.ts';
import { asStoreTx, sqlTx, type Database } from './sql.schema.ts';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const OPEN_STATUSES: JobStatus[] = ['queued', 'running'];
const ENDED_STATUSES: JobStatus[] = ['finished', 'failed', 'canceled'];

function rowToBatch(r: Selectable<BatchesTable>): BatchRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    batchKey: r.batch_key,
    contentHash: r.content_hash,
    webhookUrl: r.webhook_url,
    state: r.state as BatchState,
    total: num(r.total),
    lastSeq: num(r.last_seq),
    createdAt: num(r.created_at),
    endedAt: r.ended_at === null ? null : num(r.ended_at),
  };
}

export class SqlBatchStore implements BatchStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: 'sqlite' | 'postgres',
  ) {}

  async insert(b: NewBatch): Promise<BatchRecord> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('batches')
          .values({
            id: b.id,
            tenant: b.tenant,
            batch_key: b.batchKey,
            content_hash: b.contentHash,
            webhook_url: b.webhookUrl,
            state: 'creating',
            total: b.total,
            last_seq: 1,
            created_at: b.now,
            ended_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await this.insertEvent(tx, b.id, 1, 'created', { total: b.total }, b.now);
        return rowToBatch(row);
      });
    } catch (e) {
      if (b.batchKey !== null && isUniqueViolation(e)) throw new BatchKeyTakenError(b.tenant, b.batchKey);
      throw e;
    }
  }

  async get(id: string): Promise<BatchRecord | null> {
    const r = await this.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowToBatch(r) : null;
  }

  async getByKey(tenant: string, batchKey: string): Promise<BatchRecord | null> {
    const r = await this.db.selectFrom('batches').selectAll().where('tenant', '=', tenant).where('batch_key', '=', batchKey).executeTakeFirst();
    return r ? rowToBatch(r) : null;
  }

  async addDocument(batchId: string, doc: BatchDocument): Promise<void> {
    await this.db
      .insertInto('batch_documents')
      .values({ batch_id: batchId, position: doc.position, job_id: doc.jobId, task_id: doc.taskId })
      .onConflict((oc) => oc.columns(['batch_id', 'position']).doNothing())
      .execute();
  }

  async listDocuments(batchId: string, afterPosition: number, limit: number): Promise<BatchDocument[]> {
    const rows = await this.db
      .selectFrom('batch_documents')
      .selectAll()
      .where('batch_id', '=', batchId)
      .where('position', '>', afterPosition)
      .orderBy('position')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ position: num(r.position), jobId: r.job_id, taskId: r.task_id }));
  }

  open(batchId: string, now: number, onEnded: BatchEndedHook): Promise<BatchRecord | null> {
    return this.db.transaction().execute(async (tx) => {
      const batch = await this.lock(tx, batchId);
      if (!batch || batch.state !== 'creating') return batch;
      if ((await this.countIn(tx, batchId, OPEN_STATUSES)) > 0) {
        await tx.updateTable('batches').set({ state: 'open' }).where('id', '=', batchId).execute();
        return { ...batch, state: 'open' };
      }
      // Every document ended while the others were still being written: the batch ends now.
      const last = await tx
        .selectFrom('batch_documents')
        .select('job_id')
        .where('batch_id', '=', batchId)
        .orderBy('position', 'desc')
        .limit(1)
        .executeTakeFirst();
      return this.end(tx, batch, last?.job_id ?? null, now, onEnded);
    });
  }

  async onDocumentEndedInTx(t: StoreTx, change: Transition, member: BatchMember | null, onEnded: BatchEndedHook): Promise<void> {
    const tx = sqlTx(t);
    const linksOf = () => tx.selectFrom('batch_documents').selectAll().where('job_id', '=', change.job.id).execute();
    let links = await linksOf();
    if (!links.length && member) {
      // Committed but not linked when its process died: the job's options say where it belongs.
      await tx
        .insertInto('batch_documents')
        .values({ batch_id: member.batchId, position: member.position, job_id: change.job.id, task_id: change.job.taskId })
        .onConflict((oc) => oc.columns(['batch_id', 'position']).doNothing())
        .execute();
      links = await linksOf();
    }
    for (const link of links) {
      const batch = await this.lock(tx, link.batch_id);
      if (!batch) continue;
      const now = change.event.createdAt;
      const open = await this.countIn(tx, batch.id, OPEN_STATUSES);
      const ended = await this.countIn(tx, batch.id, ENDED_STATUSES);
      const seq = batch.lastSeq + 1;
      await tx.updateTable('batches').set({ last_seq: seq }).where('id', '=', batch.id).execute();
      await this.insertEvent(
        tx,
        batch.id,
        seq,
        'document_ended',
        { job_id: change.job.id, task_id: link.task_id, position: num(link.position), status: change.job.status, ended, total: batch.total },
        now,
      );
      // Still being written (`creating`): `open` counts again once every document is linked.
      if (batch.state === 'open' && open === 0) await this.end(tx, { ...batch, lastSeq: seq }, change.job.id, now, onEnded);
    }
  }

  async counts(batchId: string): Promise<BatchCounts> {
    return this.countsIn(this.db, batchId);
  }

  async queuedJobIds(batchId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('batch_documents as d')
      .innerJoin('jobs as j', 'j.id', 'd.job_id')
      .select('j.id')
      .where('d.batch_id', '=', batchId)
      .where('j.status', '=', 'queued')
      .orderBy('d.position')
      .execute();
    return rows.map((r) => r.id);
  }

  async listEvents(batchId: string, sinceSeq: number, limit: number): Promise<BatchEvent[]> {
    const rows = await this.db
      .selectFrom('batch_events')
      .selectAll()
      .where('batch_id', '=', batchId)
      .where('seq', '>', sinceSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      batchId: r.batch_id,
      seq: num(r.seq),
      type: r.type as BatchEventType,
      createdAt: num(r.created_at),
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }

  private async end(tx: Kysely<Database>, batch: BatchRecord, lastJobId: string | null, now: number, onEnded: BatchEndedHook): Promise<BatchRecord> {
    const seq = batch.lastSeq + 1;
    const counts = await this.countsIn(tx, batch.id);
    await tx.updateTable('batches').set({ state: 'ended', ended_at: now, last_seq: seq }).where('id', '=', batch.id).execute();
    await this.insertEvent(tx, batch.id, seq, 'ended', { counts: counts.byStatus, total: batch.total }, now);
    const ended: BatchRecord = { ...batch, state: 'ended', endedAt: now, lastSeq: seq };
    if (lastJobId) await onEnded(asStoreTx(tx), ended, lastJobId, counts);
    return ended;
  }

  private async lock(tx: Kysely<Database>, id: string): Promise<BatchRecord | null> {
    let q = tx.selectFrom('batches').selectAll().where('id', '=', id);
    if (this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r ? rowToBatch(r) : null;
  }

  private async countIn(tx: Kysely<Database>, batchId: string, statuses: JobStatus[]): Promise<number> {
    const r = await tx
      .selectFrom('batch_documents as d')
      .innerJoin('jobs as j', 'j.id', 'd.job_id')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('d.batch_id', '=', batchId)
      .where('j.status', 'in', statuses)
      .executeTakeFirstOrThrow();
    return num(r.n);
  }

  private async countsIn(db: Kysely<Database>, batchId: string): Promise<BatchCounts> {
    const rows = await db
      .selectFrom('batch_documents as d')
      .innerJoin('jobs as j', 'j.id', 'd.job_id')
      .select((eb) => [
        'j.status',
        eb.fn.countAll<number | string>().as('n'),
        sql<number | string>`coalesce(sum(j.done_pages), 0)`.as('done'),
        sql<number | string>`coalesce(sum(j.page_count), 0)`.as('pages'),
      ])
      .where('d.batch_id', '=', batchId)
      .groupBy('j.status')
      .execute();
    const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    let pagesDone = 0;
    let pagesTotal = 0;
    for (const r of rows) {
      byStatus[r.status as JobStatus] = num(r.n);
      pagesDone += num(r.done);
      pagesTotal += num(r.pages);
    }
    return { byStatus, pagesDone, pagesTotal };
  }

  private async insertEvent(
    tx: Kysely<Database>,
    batchId: string,
    seq: number,
    type: BatchEventType,
    data: Record<string, unknown>,
    now: number,
  ): Promise<void> {
    await tx
      .insertInto('batch_events')
      .values({ batch_id: batchId, seq, type, data: JSON.stringify(data), created_at: now })
      .execute();
  }
}
