/**
 * The JobStore on Kysely. Dialect-neutral on purpose: SQLite (embedded) and PostgreSQL
 * run this same code; only the `Kysely` instance differs (`sqlite.database.ts`, `postgres.database.ts`).
 * No dialect-specific SQL: conditional UPDATE … RETURNING, ON CONFLICT, COUNT subqueries — all
 * supported by both.
 */
import { Migrator, type Expression, type Kysely, type SqlBool, type ExpressionBuilder, type Transaction, type Updateable } from 'kysely';
import { ERROR_CODES, type SerializedError } from '@ocrflow/core';
import { TaskIdTakenError, type JobStore, type ListJobsQuery, type StoredPage, type TerminalHook, type TxExtras } from '../../ports/job-store.port.ts';
import {
  JOB_STATUSES,
  TERMINAL_STATUSES,
  type JobEvent,
  type JobEventType,
  type JobMetrics,
  type JobRecord,
  type JobStatus,
  type NewJob,
  type Transition,
} from '../../ports/job.types.ts';
import { asStoreTx, type Database, type JobsTable } from './sql.schema.ts';
import { migrationProvider } from './migrations/index.ts';
import { GroupCommit } from './sql.group-commit.ts';
import { isUniqueViolation, rowToEvent, rowToJob } from './sql.mappers.ts';

type Where = (eb: ExpressionBuilder<Database, 'jobs'>) => Expression<SqlBool>;

interface TransitionSpec {
  from: readonly JobStatus[];
  /** Only when this worker holds the lease. */
  owner?: string;
  where?: Where;
  set: Updateable<JobsTable>;
  event: JobEventType;
  /** Event data; may read the updated job (e.g. done_pages). */
  data: (job: JobRecord) => Record<string, unknown>;
  /** Bump attempts (claim) or give one back (hand-back that was not the job's fault). */
  attemptsDelta?: number;
  /** Recount done_pages from job_pages. */
  recountPages?: boolean;
  extras?: TxExtras;
}

export class SqlJobStore implements JobStore {
  private readonly terminalHooks: TerminalHook[] = [];
  private group: GroupCommit<Database> | null = null;

  constructor(
    readonly db: Kysely<Database>,
    readonly kind: 'sqlite' | 'postgres',
  ) {}

  async migrate(): Promise<void> {
    const { error, results } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed)
      throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`, { cause: error });
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /**
   * The transaction of a submission or a job's transition. SQLite: shared with the others of the
   * moment (group commit: one fsync for many, settled only after the COMMIT). PostgreSQL commits
   * concurrently on its pool, so each has its own.
   */
  private write<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') return this.db.transaction().execute(work);
    this.group ??= new GroupCommit(this.db);
    return this.group.run(work);
  }

  addTerminalHook(hook: TerminalHook): void {
    this.terminalHooks.push(hook);
  }

  async insertJob(j: NewJob): Promise<Transition> {
    try {
      return await this.write(async (tx) => {
        const row = await tx
          .insertInto('jobs')
          .values({
            id: j.id,
            tenant: j.tenant,
            task_id: j.taskId,
            status: 'queued',
            engine: j.engine,
            mode: j.mode,
            languages: JSON.stringify(j.languages),
            prompt: j.prompt,
            webhook_url: j.webhookUrl,
            filename: j.filename,
            mime: j.mime,
            size_bytes: j.sizeBytes,
            sha256: j.sha256,
            content_hash: j.contentHash,
            source_key: j.sourceKey,
            result_key: null,
            page_count: j.pageCount,
            done_pages: 0,
            attempts: 0,
            error_code: null,
            error_message: null,
            metrics: JSON.stringify(j.metrics),
            options: JSON.stringify(j.options),
            last_seq: 1,
            lease_owner: null,
            lease_until: null,
            created_at: j.now,
            queued_at: j.now,
            started_at: null,
            finished_at: null,
            updated_at: j.now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const job = rowToJob(row);
        // The row was inserted with last_seq = 1: this is event 1.
        const event = await this.insertEvent(tx, job, 'queued', { reason: 'submitted', total_pages: job.pageCount }, j.now);
        return { job, event };
      });
    } catch (e) {
      if (j.taskId && isUniqueViolation(e)) throw new TaskIdTakenError(j.tenant, j.taskId);
      throw e;
    }
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const r = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowToJob(r) : null;
  }

  async getJobs(ids: readonly string[]): Promise<JobRecord[]> {
    if (!ids.length) return [];
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return rows.map(rowToJob);
  }

  async getJobByTaskId(tenant: string, taskId: string): Promise<JobRecord | null> {
    const r = await this.db.selectFrom('jobs').selectAll().where('tenant', '=', tenant).where('task_id', '=', taskId).executeTakeFirst();
    return r ? rowToJob(r) : null;
  }

  async listJobs(q: ListJobsQuery): Promise<JobRecord[]> {
    let s = this.db.selectFrom('jobs').selectAll();
    if (q.tenant !== undefined) s = s.where('tenant', '=', q.tenant);
    if (q.taskId !== undefined) s = s.where('task_id', '=', q.taskId);
    if (q.statuses?.length) s = s.where('status', 'in', q.statuses);
    if (q.beforeId) s = s.where('id', '<', q.beforeId);
    const rows = await s.orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map(rowToJob);
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const out = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const r of await this.countByTenantStatus()) out[r.status] += r.count;
    return out;
  }

  async countByTenantStatus(): Promise<{ tenant: string; status: JobStatus; count: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['tenant', 'status', eb.fn.countAll<number | string>().as('n')])
      .groupBy(['tenant', 'status'])
      .execute();
    return rows
      .filter((r) => (JOB_STATUSES as readonly string[]).includes(r.status))
      .map((r) => ({ tenant: r.tenant, status: r.status as JobStatus, count: Number(r.n) }));
  }

  async listQueuedIds(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('jobs').select('id').where('status', '=', 'queued').orderBy('queued_at').orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  claimJob(id: string, owner: string, leaseUntil: number, now: number): Promise<Transition | null> {
    return this.transition(id, now, {
      from: ['queued'],
      set: { status: 'running', lease_owner: owner, lease_until: leaseUntil, started_at: now, error_code: null, error_message: null },
      attemptsDelta: 1,
      event: 'running',
      data: (j) => ({ phase: 'started', attempt: j.attempts, page: Math.min(j.donePages + 1, j.pageCount), done_pages: j.donePages, total_pages: j.pageCount }),
    });
  }

  async renewLease(id: string, owner: string, leaseUntil: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({ lease_until: leaseUntil, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async savePage(id: string, owner: string, page: StoredPage, metrics: JobMetrics, now: number): Promise<Transition | null> {
    return this.db.transaction().execute(async (tx) => {
      const owned = await tx
        .selectFrom('jobs')
        .select('id')
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      if (!owned) return null;
      await tx
        .insertInto('job_pages')
        .values({ job_id: id, page_index: page.index, page: page.json, created_at: now })
        .onConflict((oc) => oc.columns(['job_id', 'page_index']).doUpdateSet({ page: page.json, created_at: now }))
        .execute();
      return this.transitionIn(tx, id, now, {
        from: ['running'],
        owner,
        set: { metrics: JSON.stringify(metrics) },
        recountPages: true,
        event: 'running',
        data: (j) => ({ phase: 'page', page: page.index + 1, done_pages: j.donePages, total_pages: j.pageCount }),
      });
    });
  }

  async listPages(id: string): Promise<StoredPage[]> {
    const rows = await this.db.selectFrom('job_pages').select(['page_index', 'page']).where('job_id', '=', id).orderBy('page_index').execute();
    return rows.map((r) => ({ index: Number(r.page_index), json: r.page }));
  }

  async listPageIndexes(id: string): Promise<number[]> {
    const rows = await this.db.selectFrom('job_pages').select('page_index').where('job_id', '=', id).orderBy('page_index').execute();
    return rows.map((r) => Number(r.page_index));
  }

  async setPageCount(id: string, owner: string, pageCount: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({ page_count: pageCount, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  finishJob(id: string, owner: string, result: { resultKey: string; metrics: JobMetrics }, now: number, extras?: TxExtras): Promise<Transition | null> {
    return this.transition(id, now, {
      from: ['running'],
      owner,
      set: {
        status: 'finished',
        result_key: result.resultKey,
        metrics: JSON.stringify(result.metrics),
        finished_at: now,
        lease_owner: null,
        lease_until: null,
      },
      recountPages: true,
      event: 'finished',
      data: (j) => ({ done_pages: j.donePages, total_pages: j.pageCount }),
      extras,
    });
  }

  failJob(id: string, owner: string | null, error: SerializedError, metrics: JobMetrics, now: number, extras?: TxExtras): Promise<Transition | null> {
    return this.transition(id, now, {
      from: ['running'],
      owner: owner ?? undefined,
      set: {
        status: 'failed',
        error_code: error.code,
        error_message: error.message,
        metrics: JSON.stringify(metrics),
        finished_at: now,
        lease_owner: null,
        lease_until: null,
      },
      event: 'failed',
      data: (j) => ({ error: { code: error.code, message: error.message }, done_pages: j.donePages, total_pages: j.pageCount }),
      extras,
    });
  }

  requeueJob(id: string, owner: string, reason: string, opts: { refundAttempt: boolean; metrics?: JobMetrics }, now: number): Promise<Transition | null> {
    return this.transition(id, now, {
      from: ['running'],
      owner,
      set: { status: 'queued', lease_owner: null, lease_until: null, queued_at: now, ...(opts.metrics ? { metrics: JSON.stringify(opts.metrics) } : {}) },
      attemptsDelta: opts.refundAttempt ? -1 : 0,
      event: 'queued',
      data: (j) => ({ reason, done_pages: j.donePages, total_pages: j.pageCount }),
    });
  }

  async cancelJob(id: string, now: number, extras?: TxExtras, opts?: { onlyQueued?: boolean }): Promise<{ job: JobRecord; event: JobEvent | null } | null> {
    const t = await this.transition(id, now, {
      from: opts?.onlyQueued ? ['queued'] : ['queued', 'running'],
      set: {
        status: 'canceled',
        error_code: 'OCRFLOW_ERR_CANCELED',
        error_message: ERROR_CODES.OCRFLOW_ERR_CANCELED.message,
        finished_at: now,
        lease_owner: null,
        lease_until: null,
      },
      event: 'canceled',
      data: (j) => ({ done_pages: j.donePages, total_pages: j.pageCount }),
      extras,
    });
    if (t) return t;
    const job = await this.getJob(id);
    return job ? { job, event: null } : null;
  }

  async retryJob(id: string, now: number): Promise<{ job: JobRecord; event: JobEvent | null } | null> {
    const t = await this.transition(id, now, {
      from: ['failed', 'canceled'],
      set: {
        status: 'queued',
        error_code: null,
        error_message: null,
        queued_at: now,
        finished_at: null,
        result_key: null,
        lease_owner: null,
        lease_until: null,
      },
      event: 'queued',
      data: (j) => ({ reason: 'retry', done_pages: j.donePages, total_pages: j.pageCount }),
    });
    if (t) return t;
    const job = await this.getJob(id);
    return job ? { job, event: null } : null;
  }

  async reclaimJobs(opts: { all: boolean; maxAttempts: number }, now: number): Promise<Transition[]> {
    let s = this.db.selectFrom('jobs').select(['id', 'lease_owner', 'attempts']).where('status', '=', 'running');
    if (!opts.all) s = s.where('lease_until', '<', now);
    const out: Transition[] = [];
    for (const r of await s.execute()) {
      // Re-check the lease inside the transition: the owner may have renewed it meanwhile.
      const stillStale: Where | undefined = opts.all
        ? undefined
        : (eb) => eb.and([eb('lease_until', '<', now), r.lease_owner === null ? eb('lease_owner', 'is', null) : eb('lease_owner', '=', r.lease_owner)]);
      const t =
        Number(r.attempts) >= opts.maxAttempts
          ? await this.transition(r.id, now, {
              from: ['running'],
              where: stillStale,
              set: {
                status: 'failed',
                error_code: 'OCRFLOW_ERR_WORKER_CRASHED',
                error_message: `The job stopped its worker ${r.attempts} times; giving up`,
                finished_at: now,
                lease_owner: null,
                lease_until: null,
              },
              event: 'failed',
              data: (j) => ({ error: j.error, done_pages: j.donePages, total_pages: j.pageCount }),
            })
          : await this.transition(r.id, now, {
              from: ['running'],
              where: stillStale,
              set: { status: 'queued', lease_owner: null, lease_until: null, queued_at: now },
              event: 'queued',
              data: (j) => ({ reason: opts.all ? 'recovered' : 'lease_expired', done_pages: j.donePages, total_pages: j.pageCount }),
            });
      if (t) out.push(t);
    }
    return out;
  }

  async listEvents(id: string, sinceSeq: number, limit: number): Promise<JobEvent[]> {
    const rows = await this.db.selectFrom('job_events').selectAll().where('job_id', '=', id).where('seq', '>', sinceSeq).orderBy('seq').limit(limit).execute();
    return rows.map(rowToEvent);
  }

  async getEventsAt(places: readonly { jobId: string; seq: number }[]): Promise<JobEvent[]> {
    if (!places.length) return [];
    const rows = await this.db
      .selectFrom('job_events')
      .selectAll()
      .where((eb) => eb.or(places.map((p) => eb.and([eb('job_id', '=', p.jobId), eb('seq', '=', p.seq)]))))
      .execute();
    return rows.map(rowToEvent);
  }

  // ---------------------------------------------------------------------------------------------

  private transition(id: string, now: number, spec: TransitionSpec): Promise<Transition | null> {
    return this.write((tx) => this.transitionIn(tx, id, now, spec));
  }

  /** One conditional UPDATE … RETURNING (the state check and the seq bump are atomic), then the event. */
  private async transitionIn(tx: Kysely<Database>, id: string, now: number, spec: TransitionSpec): Promise<Transition | null> {
    let u = tx
      .updateTable('jobs')
      .set((eb) => ({
        ...spec.set,
        updated_at: now,
        last_seq: eb('last_seq', '+', 1),
        ...(spec.attemptsDelta ? { attempts: eb('attempts', '+', spec.attemptsDelta) } : {}),
        ...(spec.recountPages ? { done_pages: eb.selectFrom('job_pages').select(eb.fn.countAll<number>().as('n')).where('job_pages.job_id', '=', id) } : {}),
      }))
      .where('id', '=', id)
      .where('status', 'in', spec.from);
    if (spec.owner !== undefined) u = u.where('lease_owner', '=', spec.owner);
    if (spec.where) u = u.where(spec.where);
    const row = await u.returningAll().executeTakeFirst();
    if (!row) return null;
    const job = rowToJob(row);
    const event = await this.insertEvent(tx, job, spec.event, spec.data(job), now);
    const change = { job, event };
    if (TERMINAL_STATUSES.includes(job.status)) for (const hook of this.terminalHooks) await hook(asStoreTx(tx), change);
    if (spec.extras?.inTx) await spec.extras.inTx(asStoreTx(tx), change);
    return change;
  }

  private async insertEvent(tx: Kysely<Database>, job: JobRecord, type: JobEventType, data: Record<string, unknown>, now: number): Promise<JobEvent> {
    const event: JobEvent = { jobId: job.id, seq: job.lastSeq, type, status: job.status, createdAt: now, data };
    await tx
      .insertInto('job_events')
      .values({ job_id: job.id, seq: event.seq, type, status: job.status, data: JSON.stringify(data), created_at: now })
      .execute();
    return event;
  }
}
