/**
 * The task state machine (issue 6):
 *
 *   created → uploaded → ocr_processing → ocr_done → excel_generated → editable
 *                             ↓    ↑          ↓  ↘         ↓
 *                        ocr_failed ┘    ocr_failed  excel_failed → (retry) ocr_done
 *
 * `ocr_done → ocr_failed`: OCR finished but its result could not be read from the OCR service.
 * Retry: `ocr_failed → ocr_processing` (the same OCR job is retried, or submitted if it never
 * existed) and `excel_failed → ocr_done` (the workbook is generated again from the stored OCR JSON).
 * Every other move is refused with 409 OCRFLOW_ERR_INVALID_STATE.
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

/** States a restarted process must pick up (work was under way when the last one stopped). */
export const IN_FLIGHT: readonly TaskStatus[] = ['uploaded', 'ocr_processing', 'ocr_done', 'excel_generated'];

export function invalidState(status: TaskStatus, what: string): OcrflowError {
  return new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `The task is ${status}: ${what}`, { status });
}
