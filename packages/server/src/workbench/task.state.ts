/**
 * The task state machine (docs/workbench-api.md, "States"):
 *
 *   created → uploaded → ocr_processing → ocr_done → excel_generated → editable
 *                             ↓    ↑          ↓  ↘         ↓
 *                        ocr_failed ┘    ocr_failed  excel_failed → (retry) ocr_done
 *
 * The states mean what they mean to the image-to-Excel app's clients, which poll until a task is
 * exactly `ocr_done` (or `ocr_failed`) and then read its tables:
 * - `ocr_done`: the OCR JSON is stored; the tables can be read (version 1 of the sheets is derived
 *   from the OCR JSON on demand). A task rests here until its workbook is first asked for.
 * - `excel_generated`: workbook version 1 is stored (generated when first asked for: a download,
 *   `POST /excel/generate`, or the first save).
 * - `editable`: an edited version has been saved on top of it.
 * `ocr_done → ocr_failed`: a task left `ocr_done` without its OCR JSON by an older process, whose
 * result can no longer be read. Retry: `ocr_failed → ocr_processing` (the same OCR job is retried,
 * or submitted if it never existed) and `excel_failed → ocr_done` (the workbook is generated again
 * from the stored OCR JSON). Every other move is refused with 409 OCRFLOW_ERR_INVALID_STATE.
 */
import { OcrflowError } from '@ocrflow/core';
import type { TaskStatus } from '../ports/task-store.port.ts';

export const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  created: ['uploaded'],
  uploaded: ['ocr_processing'],
  ocr_processing: ['ocr_done', 'ocr_failed'],
  ocr_done: ['excel_generated', 'excel_failed', 'ocr_failed'],
  excel_generated: ['editable', 'excel_failed'],
  editable: [],
  ocr_failed: ['ocr_processing'],
  excel_failed: ['ocr_done'],
};

export const canMove = (from: TaskStatus, to: TaskStatus): boolean => TRANSITIONS[from].includes(to);

/** The states a task may move to `to` from. */
export const sourcesOf = (to: TaskStatus): TaskStatus[] => (Object.keys(TRANSITIONS) as TaskStatus[]).filter((s) => canMove(s, to));

/** States whose OCR JSON is stored (the document, text and analysis can be read). */
export const HAS_DOCUMENT: readonly TaskStatus[] = ['ocr_done', 'excel_generated', 'editable', 'excel_failed'];

/** States whose tables can be read and saved (version 1 derived from the OCR JSON until it is stored). */
export const HAS_TABLES: readonly TaskStatus[] = ['ocr_done', 'excel_generated', 'editable'];

/**
 * States a restarted process must look at: work was under way (`uploaded`, `ocr_processing`), or an
 * `ocr_done` task whose OCR JSON an older process had not stored yet.
 */
export const IN_FLIGHT: readonly TaskStatus[] = ['uploaded', 'ocr_processing', 'ocr_done'];

export function invalidState(status: TaskStatus, what: string): OcrflowError {
  return new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `The task is ${status}: ${what}`, { status });
}
