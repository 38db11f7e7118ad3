/**
 * TaskStore: the workbench's durable state — tasks, every status transition with its
 * time, and workbook versions. Implemented once with Kysely (`adapters/sql/sql.tasks.ts`) on the
 * job store's database, so it runs on SQLite (embedded) and PostgreSQL (scaled) alike.
 *
 * Every status change is one conditional UPDATE (`WHERE status IN (from…)`) plus its transition
 * row in the same transaction: when the webhook and the long-poll fallback both report that OCR
 * ended, exactly one of them moves the task and the other gets `null` (a no-op).
 */
export const TASK_STATUSES = ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable', 'ocr_failed', 'excel_failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type VersionSource = 'ocr' | 'edit';

export interface TaskRecord {
  id: string;
  /** The tenant whose token (or sign-in) uploaded it. */
  tenant: string;
  /** The uploaded file's name as the person's browser sent it (UTF-8). */
  filename: string;
  mime: string;
  sizeBytes: number;
  sha256: string;
  /** Blob key of the uploaded file. */
  sourceKey: string;
  status: TaskStatus;
  errorMessage: string | null;
  ocrJobId: string | null;
  pageCount: number | null;
  tableCount: number | null;
  /** Table cells of the latest version still to check (below the review threshold, not edited or confirmed). */
  cellsToCheck: number | null;
  workbookVersion: number | null;
  /** Seq of the newest transition. */
  lastSeq: number;
  createdAt: number;
  /** Strictly increasing per task (the long-poll's `since`). */
  updatedAt: number;
}

export interface TaskTransition {
  seq: number;
  status: TaskStatus;
  at: number;
}

export interface NewTask {
  id: string;
  tenant: string;
  filename: string;
  mime: string;
  sizeBytes: number;
  sha256: string;
  sourceKey: string;
  pageCount: number | null;
  now: number;
}

export interface TaskPatch {
  errorMessage?: string | null;
  ocrJobId?: string | null;
  pageCount?: number | null;
  tableCount?: number | null;
  cellsToCheck?: number | null;
}

export interface TransitionRequest {
  from: readonly TaskStatus[];
  to: TaskStatus;
  patch?: TaskPatch;
  /** Only while the task's OCR job is this one (or not yet recorded). */
  jobId?: string;
  now: number;
}

export interface WorkbookVersion {
  version: number;
  source: VersionSource;
  /** Blob key of the version's .xlsx. */
  xlsxKey: string;
  createdAt: number;
}

export interface NewVersion {
  source: VersionSource;
  /** The sheets as JSON text (validated by the caller). */
  sheets: string;
  xlsxKey: string;
  /** The version the writer started from (null: the task has none yet). */
  baseVersion: number | null;
  /** The task must be in one of these. */
  requireStatus: readonly TaskStatus[];
  /** Also move the task (first version: ocr_done → excel_generated). */
  to?: TaskStatus;
  tableCount?: number;
  cellsToCheck?: number;
  now: number;
}

export type AddVersionResult =
  | { ok: true; task: TaskRecord; version: number }
  /** `state`: the task is not in `requireStatus`; `version`: its latest version is not `baseVersion`; `missing`: no such task. */
  | { ok: false; reason: 'state' | 'version' | 'missing'; task: TaskRecord | null };

export interface TaskStore {
  /** Insert a task that passed through `statuses` (e.g. created, uploaded) at `now`. */
  insertTask(t: NewTask, statuses: readonly TaskStatus[]): Promise<TaskRecord>;
  getTask(id: string): Promise<TaskRecord | null>;
  /** Newest first. */
  /** `tenant` undefined: every tenant's (an admin). */
  listTasks(q: { tenant?: string; offset: number; limit: number }): Promise<{ items: TaskRecord[]; total: number }>;
  /** Tasks in these states, oldest first (start-up reconciliation). */
  listByStatus(statuses: readonly TaskStatus[], limit: number): Promise<TaskRecord[]>;
  /** Transitions of each task, oldest first. */
  listTransitions(ids: readonly string[]): Promise<Map<string, TaskTransition[]>>;
  /** The conditional status change; null when the task is not in `from` (or gone, or has another job). */
  transition(id: string, t: TransitionRequest): Promise<TaskRecord | null>;
  /** Change fields without a status change, only while the task is in `whileStatus`. */
  patch(id: string, whileStatus: readonly TaskStatus[], patch: TaskPatch, now: number): Promise<TaskRecord | null>;
  /** A new workbook version (latest + 1), conditional on the task's state and latest version. */
  addVersion(id: string, v: NewVersion): Promise<AddVersionResult>;
  listVersions(id: string): Promise<WorkbookVersion[]>;
  /** One version with its sheets JSON (latest when `version` is null). */
  getVersion(id: string, version: number | null): Promise<(WorkbookVersion & { sheets: string }) | null>;
  setVersionXlsx(id: string, version: number, xlsxKey: string): Promise<void>;
  /** Remove the task with its transitions and versions; the removed record, or null. */
  deleteTask(id: string): Promise<TaskRecord | null>;
}
