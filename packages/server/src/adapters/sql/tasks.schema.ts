/**
 * Kysely table types of the workbench, added to `Database` by declaration merging (the
 * mechanism `sql.schema.ts` asks features to use). Portable: times as epoch ms in bigint columns,
 * JSON as text.
 */
import type { Int8 } from './sql.schema.ts';

export interface WorkbenchTasksTable {
  id: string;
  /** Owner (migration 0006); rows from before it are `default`. */
  tenant: string;
  filename: string;
  mime: string;
  size_bytes: Int8;
  sha256: string;
  source_key: string;
  status: string;
  error_message: string | null;
  ocr_job_id: string | null;
  page_count: number | null;
  table_count: number | null;
  cells_to_check: number | null;
  workbook_version: number | null;
  last_seq: number;
  created_at: Int8;
  updated_at: Int8;
}

export interface WorkbenchTaskTransitionsTable {
  task_id: string;
  seq: number;
  status: string;
  at: Int8;
}

export interface WorkbenchVersionsTable {
  task_id: string;
  version: number;
  source: string;
  /** The sheets JSON of this version (never changed once written). */
  sheets: string;
  xlsx_key: string;
  created_at: Int8;
}

/** Session ids signed out before their cookie expired (migration 0004). */
export interface WorkbenchRevokedSessionsTable {
  sid: string;
  expires_at: Int8;
}

declare module './sql.schema.ts' {
  interface Database {
    workbench_revoked_sessions: WorkbenchRevokedSessionsTable;
    workbench_tasks: WorkbenchTasksTable;
    workbench_task_transitions: WorkbenchTaskTransitionsTable;
    workbench_versions: WorkbenchVersionsTable;
  }
}
