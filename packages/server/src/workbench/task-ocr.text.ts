/** The sentences the OCR side of a task says to people: `error_message` and the answers' `message`. */
import { OcrflowApiError, OcrflowNetworkError } from '@ocrflow/client';
import type { TaskRecord } from '../ports/task-store.port.ts';

/** A plain sentence for people (the task's error_message). */
export function describeOcrError(e: unknown): string {
  if (e instanceof OcrflowNetworkError) return `The OCR service is not reachable (${e.message.replace(/^Cannot reach the ocrflow service at /, '')})`;
  if (e instanceof OcrflowApiError) return e.status === 503 ? `The OCR service is not available: ${e.message}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** What the task's state means for OCR, in a sentence (the answer's `message`). */
export function stepMessage(t: TaskRecord): string {
  switch (t.status) {
    case 'created':
    case 'uploaded':
      return 'OCR has not started';
    case 'ocr_processing':
      return 'OCR is running';
    case 'ocr_failed':
      return `OCR failed: ${t.errorMessage ?? 'unknown error'}`;
    default:
      return 'OCR is done';
  }
}
