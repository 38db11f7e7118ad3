/**
 * Job priority: an integer from -10 to 10, higher runs sooner, default 0; jobs of equal
 * priority run oldest first. Stored in the job's `options` (no migration), so re-queued and
 * recovered jobs keep it, and honoured by both queues (local and BullMQ).
 */
import { OcrflowError } from '@ocrflow/core';
import type { JobRecord } from './job.types.ts';

export const PRIORITY_MIN = -10;
export const PRIORITY_MAX = 10;
export const DEFAULT_PRIORITY = 0;

/** The submission field (a multipart string or a JSON number); undefined when absent. */
export function parsePriority(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < PRIORITY_MIN || n > PRIORITY_MAX)
    throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `priority: must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}`, { field: 'priority' });
  return n;
}

/** A stored job's priority (tolerant of rows written before the option existed). */
export function priorityOf(job: Pick<JobRecord, 'options'>): number {
  const p = job.options.priority;
  return typeof p === 'number' && Number.isInteger(p) ? Math.min(PRIORITY_MAX, Math.max(PRIORITY_MIN, p)) : DEFAULT_PRIORITY;
}
