/**
 * The workbench API's shapes as the UI sees them (docs/workbench-api.md). The document and sheet
 * types come from @ocrflow/core as types only, so the bundle carries none of core's code.
 */
import type { Sheet } from '@ocrflow/core';

export type { OcrDocument, Sheet, SheetMerge, SheetValue, Page, BBox } from '@ocrflow/core';

export const TASK_STATUSES = ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable', 'ocr_failed', 'excel_failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface Transition {
  status: TaskStatus;
  at: string;
}

export interface Task {
  id: string;
  /** The same as `id` (the image-to-Excel app's name for it). */
  task_id: string;
  filename: string;
  mime: string;
  size_bytes: number;
  status: TaskStatus;
  error_message: string | null;
  ocr_job_id: string | null;
  page_count: number | null;
  table_count: number | null;
  /** Table cells still to check (below the review threshold, not edited or confirmed) in the latest version. */
  cells_to_check: number | null;
  workbook_version: number | null;
  /** API URLs of the upload, the OCR JSON and the workbook (null until they exist). */
  image_path: string;
  ocr_json_path: string | null;
  excel_path: string | null;
  created_at: string;
  updated_at: string;
  transitions: Transition[];
}

export interface TaskPage {
  items: Task[];
  total: number;
  page: number;
  page_size: number;
}

export interface Health {
  ok: boolean;
  ocr_service: string;
  queue_len: number;
  worker_alive: boolean;
  message: string;
  /** Additive (docs/workbench-api.md); absent on older servers, then the UI assumes 10 MB. */
  max_upload_mb?: number;
  /** The server has access tokens: the workbench needs a sign-in. Absent on older servers (open). */
  auth_required?: boolean;
}

/** `GET /api/v1/auth/session` (also the answer of sign-in and sign-out). */
export interface SessionInfo {
  auth_required: boolean;
  signed_in: boolean;
  via: 'cookie' | 'bearer' | null;
  expires_at: string | null;
  /** Whose tasks the caller sees (null when not signed in). Absent on older servers. */
  tenant?: string | null;
  /** Sees every tenant's tasks. Absent on older servers. */
  admin?: boolean;
}

export interface WorkbookVersion {
  version: number;
  created_at: string;
  source: 'ocr' | 'edit';
}

export interface TablesData {
  version: number;
  versions: WorkbookVersion[];
  sheets: Sheet[];
}

export interface TextData {
  text: string;
  markdown: string;
}

/** `ocrflow.analysis/1`, read loosely: the UI shows whatever key facts are there. */
export interface Analysis {
  schema?: string;
  kind?: string;
  fields?: Record<string, unknown> | Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/**
 * The tables can be read and edited: from `ocr_done` on (version 1 of the sheets is derived from
 * the OCR result until the workbook is first generated or saved; docs/workbench-api.md, "States").
 */
export const TERMINAL_OK: readonly TaskStatus[] = ['ocr_done', 'excel_generated', 'editable'];
export const FAILED: readonly TaskStatus[] = ['ocr_failed', 'excel_failed'];

export function isWorking(s: TaskStatus): boolean {
  return !TERMINAL_OK.includes(s) && !FAILED.includes(s);
}
