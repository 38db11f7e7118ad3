/**
 * The workbench TaskStore on Kysely, on the job store's database. Dialect-neutral like
 * `sql.store.ts`: conditional `UPDATE … WHERE status IN (…) RETURNING *` decides races (the
 * webhook and the long-poll fallback, two browsers saving at once); no dialect-specific SQL.
 *
 * `updated_at` is kept strictly increasing per task (`CASE WHEN updated_at >= now THEN
 * updated_at + 1 ELSE now END`) so a long-poll that passes the `updated_at` it saw can never
 * miss a second change made within the same millisecond.
 */
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type {
  AddVersionResult,
  NewTask,
  NewVersion,
  TaskPatch,
  TaskRecord,
  TaskStatus,
  TaskStore,
  TaskTransition,
  TransitionRequest,
  VersionSource,
  WorkbookVersion,
} from '../../ports/task-store.port.ts';
import type { Database } from './sql.schema.ts';
import type { WorkbenchTasksTable, WorkbenchVersionsTable } from './tasks.schema.ts';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

function rowToTask(r: Selectable<WorkbenchTasksTable>): TaskRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    filename: r.filename,
    mime: r.mime,
    sizeBytes: num(r.size_bytes),
    sha256: r.sha256,
    sourceKey: r.source_key,
    status: r.status as TaskStatus,
    errorMessage: r.error_message,
    ocrJobId: r.ocr_job_id,
    pageCount: numOrNull(r.page_count),
    tableCount: numOrNull(r.table_count),
    cellsToCheck: numOrNull(r.cells_to_check ?? null),
    workbookVersion: numOrNull(r.workbook_version),
    lastSeq: num(r.last_seq),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function rowToVersion(r: Pick<Selectable<WorkbenchVersionsTable>, 'version' | 'source' | 'xlsx_key' | 'created_at'>): WorkbookVersion {
  return { version: num(r.version), source: r.source as VersionSource, xlsxKey: r.xlsx_key, createdAt: num(r.created_at) };
}

function patchColumns(p: TaskPatch | undefined): Updateable<WorkbenchTasksTable> {
  const set: Updateable<WorkbenchTasksTable> = {};
  if (!p) return set;
  if (p.errorMessage !== undefined) set.error_message = p.errorMessage;
  if (p.ocrJobId !== undefined) set.ocr_job_id = p.ocrJobId;
  if (p.pageCount !== undefined) set.page_count = p.pageCount;
  if (p.tableCount !== undefined) set.table_count = p.tableCount;
  if (p.cellsToCheck !== undefined) set.cells_to_check = p.cellsToCheck;
  return set;
}

const bumpUpdatedAt = (now: number) => sql<number>`CASE WHEN updated_at >= ${now} THEN updated_at + 1 ELSE ${now} END`;

export class SqlTaskStore implements TaskStore {
  constructor(readonly db: Kysely<Database>) {}

  async insertTask(t: NewTask, statuses: readonly TaskStatus[]): Promise<TaskRecord> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('workbench_tasks')
        .values({
          id: t.id,
          tenant: t.tenant,
          filename: t.filename,
          mime: t.mime,
          size_bytes: t.sizeBytes,
          sha256: t.sha256,
          source_key: t.sourceKey,
          status: statuses[statuses.length - 1],
          error_message: null,
          ocr_job_id: null,
          page_count: t.pageCount,
          table_count: null,
          cells_to_check: null,
          workbook_version: null,
          last_seq: statuses.length,
          created_at: t.now,
          updated_at: t.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('workbench_task_transitions')
        .values(statuses.map((status, i) => ({ task_id: t.id, seq: i + 1, status, at: t.now })))
        .execute();
      return rowToTask(row);
    });
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const row = await this.db.selectFrom('workbench_tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rowToTask(row) : null;
  }

  async listTasks(q: { tenant?: string; offset: number; limit: number }): Promise<{ items: TaskRecord[]; total: number }> {
    const tasks = q.tenant === undefined ? this.db.selectFrom('workbench_tasks') : this.db.selectFrom('workbench_tasks').where('tenant', '=', q.tenant);
    const rows = await tasks.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    const { n } = await tasks.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return { items: rows.map(rowToTask), total: num(n) };
  }

  async listByStatus(statuses: readonly TaskStatus[], limit: number): Promise<TaskRecord[]> {
    if (!statuses.length) return [];
    const rows = await this.db
      .selectFrom('workbench_tasks')
      .selectAll()
      .where('status', 'in', [...statuses])
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map(rowToTask);
  }

  async listTransitions(ids: readonly string[]): Promise<Map<string, TaskTransition[]>> {
    const out = new Map<string, TaskTransition[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const rows = await this.db
      .selectFrom('workbench_task_transitions')
      .selectAll()
      .where('task_id', 'in', [...ids])
      .orderBy('task_id')
      .orderBy('seq')
      .execute();
    for (const r of rows) out.get(r.task_id)?.push({ seq: num(r.seq), status: r.status as TaskStatus, at: num(r.at) });
    return out;
  }

  async transition(id: string, t: TransitionRequest): Promise<TaskRecord | null> {
    return this.db.transaction().execute(async (tx) => {
      let q = tx
        .updateTable('workbench_tasks')
        .set({ ...patchColumns(t.patch), status: t.to, last_seq: sql<number>`last_seq + 1`, updated_at: bumpUpdatedAt(t.now) })
        .where('id', '=', id)
        .where('status', 'in', [...t.from]);
      const jobId = t.jobId;
      if (jobId !== undefined) q = q.where((eb) => eb.or([eb('ocr_job_id', '=', jobId), eb('ocr_job_id', 'is', null)]));
      const row = await q.returningAll().executeTakeFirst();
      if (!row) return null;
      const task = rowToTask(row);
      await tx.insertInto('workbench_task_transitions').values({ task_id: id, seq: task.lastSeq, status: t.to, at: task.updatedAt }).execute();
      return task;
    });
  }

  async patch(id: string, whileStatus: readonly TaskStatus[], patch: TaskPatch, now: number): Promise<TaskRecord | null> {
    const row = await this.db
      .updateTable('workbench_tasks')
      .set({ ...patchColumns(patch), updated_at: bumpUpdatedAt(now) })
      .where('id', '=', id)
      .where('status', 'in', [...whileStatus])
      .returningAll()
      .executeTakeFirst();
    return row ? rowToTask(row) : null;
  }

  async addVersion(id: string, v: NewVersion): Promise<AddVersionResult> {
    return this.db.transaction().execute(async (tx): Promise<AddVersionResult> => {
      const next = (v.baseVersion ?? 0) + 1;
      // The optimistic lock: the task row moves from baseVersion to next only if nobody else did.
      const row = await tx
        .updateTable('workbench_tasks')
        .set({
          workbook_version: next,
          updated_at: bumpUpdatedAt(v.now),
          ...(v.tableCount !== undefined ? { table_count: v.tableCount } : {}),
          ...(v.cellsToCheck !== undefined ? { cells_to_check: v.cellsToCheck } : {}),
          ...(v.to ? { status: v.to, last_seq: sql<number>`last_seq + 1` } : {}),
        })
        .where('id', '=', id)
        .where('status', 'in', [...v.requireStatus])
        .where((eb) => (v.baseVersion === null ? eb('workbook_version', 'is', null) : eb('workbook_version', '=', v.baseVersion)))
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const current = await tx.selectFrom('workbench_tasks').selectAll().where('id', '=', id).executeTakeFirst();
        if (!current) return { ok: false, reason: 'missing', task: null };
        const task = rowToTask(current);
        return { ok: false, reason: v.requireStatus.includes(task.status) ? 'version' : 'state', task };
      }
      const task = rowToTask(row);
      await tx
        .insertInto('workbench_versions')
        .values({ task_id: id, version: next, source: v.source, sheets: v.sheets, xlsx_key: v.xlsxKey, created_at: task.updatedAt })
        .execute();
      if (v.to) await tx.insertInto('workbench_task_transitions').values({ task_id: id, seq: task.lastSeq, status: v.to, at: task.updatedAt }).execute();
      return { ok: true, task, version: next };
    });
  }

  async listVersions(id: string): Promise<WorkbookVersion[]> {
    const rows = await this.db
      .selectFrom('workbench_versions')
      .select(['version', 'source', 'xlsx_key', 'created_at'])
      .where('task_id', '=', id)
      .orderBy('version')
      .execute();
    return rows.map(rowToVersion);
  }

  async getVersion(id: string, version: number | null): Promise<(WorkbookVersion & { sheets: string }) | null> {
    let q = this.db.selectFrom('workbench_versions').selectAll().where('task_id', '=', id);
    q = version === null ? q.orderBy('version', 'desc').limit(1) : q.where('version', '=', version);
    const r = await q.executeTakeFirst();
    return r ? { ...rowToVersion(r), sheets: r.sheets } : null;
  }

  async setVersionXlsx(id: string, version: number, xlsxKey: string): Promise<void> {
    await this.db.updateTable('workbench_versions').set({ xlsx_key: xlsxKey }).where('task_id', '=', id).where('version', '=', version).execute();
  }

  async deleteTask(id: string): Promise<TaskRecord | null> {
    return this.db.transaction().execute(async (tx) => {
      // Children first: SQLite enforces the cascade only with foreign_keys on, PostgreSQL always.
      await tx.deleteFrom('workbench_versions').where('task_id', '=', id).execute();
      await tx.deleteFrom('workbench_task_transitions').where('task_id', '=', id).execute();
      const row = await tx.deleteFrom('workbench_tasks').where('id', '=', id).returningAll().executeTakeFirst();
      return row ? rowToTask(row) : null;
    });
  }
}
