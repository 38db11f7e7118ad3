/**
 * The wire shape of a task (docs/workbench-api.md): snake_case, RFC 3339 times with a numeric
 * offset, every transition. `task_id`, `image_path`, `ocr_json_path` and `excel_path` are the
 * image-to-Excel app's names: the paths are the API URLs of those files, null until they exist.
 */
import type { TaskRecord, TaskStatus, TaskTransition } from '../ports/task-store.port.ts';
import { HAS_DOCUMENT } from './task.state.ts';

export interface TaskView {
  id: string;
  /** The same as `id`. */
  task_id: string;
  filename: string;
  mime: string;
  size_bytes: number;
  status: TaskStatus;
  error_message: string | null;
  ocr_job_id: string | null;
  page_count: number | null;
  table_count: number | null;
  /** Table cells a person should check: below the review threshold, neither edited nor confirmed (latest version). */
  cells_to_check: number | null;
  workbook_version: number | null;
  image_path: string;
  ocr_json_path: string | null;
  excel_path: string | null;
  created_at: string;
  updated_at: string;
  transitions: { status: TaskStatus; at: string }[];
}

/** `2026-11-27T01:00:00.000+00:00`: UTC with its offset written out (parsers of every age read it). */
export const isoTime = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '+00:00');
const iso = isoTime;

export function toTaskView(t: TaskRecord, transitions: readonly TaskTransition[]): TaskView {
  return {
    id: t.id,
    task_id: t.id,
    filename: t.filename,
    mime: t.mime,
    size_bytes: t.sizeBytes,
    status: t.status,
    error_message: t.errorMessage,
    ocr_job_id: t.ocrJobId,
    page_count: t.pageCount,
    table_count: t.tableCount,
    cells_to_check: t.cellsToCheck,
    workbook_version: t.workbookVersion,
    image_path: `/api/v1/tasks/${t.id}/image`,
    ocr_json_path: HAS_DOCUMENT.includes(t.status) ? `/api/v1/tasks/${t.id}/document` : null,
    excel_path: t.workbookVersion !== null ? `/api/v1/excel/download/${t.id}` : null,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
    transitions: transitions.map((x) => ({ status: x.status, at: iso(x.at) })),
  };
}
