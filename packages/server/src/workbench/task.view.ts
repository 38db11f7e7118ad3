/** The wire shape of a task (docs/workbench-api.md): snake_case, ISO times, every transition. */
import type { TaskRecord, TaskStatus, TaskTransition } from '../ports/task-store.port.ts';

export interface TaskView {
  id: string;
  filename: string;
  mime: string;
  size_bytes: number;
  status: TaskStatus;
  error_message: string | null;
  ocr_job_id: string | null;
  page_count: number | null;
  table_count: number | null;
  workbook_version: number | null;
  created_at: string;
  updated_at: string;
  transitions: { status: TaskStatus; at: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function toTaskView(t: TaskRecord, transitions: readonly TaskTransition[]): TaskView {
  return {
    id: t.id,
    filename: t.filename,
    mime: t.mime,
    size_bytes: t.sizeBytes,
    status: t.status,
    error_message: t.errorMessage,
    ocr_job_id: t.ocrJobId,
    page_count: t.pageCount,
    table_count: t.tableCount,
    workbook_version: t.workbookVersion,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    transitions: transitions.map((x) => ({ status: x.status, at: iso(x.at) })),
  };
}
