/** Row <-> domain conversions of the SQL store (tolerant of pg returning int8 as strings). */
import type { Selectable } from 'kysely';
import type { EngineName, ErrorCode } from '@ocrflow/core';
import type { JobEvent, JobEventType, JobMode, JobRecord, JobStatus } from '../../ports/job.types.ts';
import type { JobEventsTable, JobsTable } from './sql.schema.ts';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));

function parseJson<T>(s: string, fallback: T): T {
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

export function rowToJob(r: Selectable<JobsTable>): JobRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    taskId: r.task_id,
    status: r.status as JobStatus,
    engine: r.engine as EngineName,
    mode: r.mode as JobMode,
    languages: parseJson<string[]>(r.languages, []),
    prompt: r.prompt,
    webhookUrl: r.webhook_url,
    filename: r.filename,
    mime: r.mime,
    sizeBytes: num(r.size_bytes),
    sha256: r.sha256,
    contentHash: r.content_hash,
    sourceKey: r.source_key,
    resultKey: r.result_key,
    pageCount: num(r.page_count),
    donePages: num(r.done_pages),
    attempts: num(r.attempts),
    error: r.error_code ? { code: r.error_code as ErrorCode, message: r.error_message ?? '' } : null,
    metrics: parseJson(r.metrics, {}),
    options: parseJson(r.options, {}),
    lastSeq: num(r.last_seq),
    leaseOwner: r.lease_owner,
    leaseUntil: numOrNull(r.lease_until),
    createdAt: num(r.created_at),
    queuedAt: num(r.queued_at),
    startedAt: numOrNull(r.started_at),
    finishedAt: numOrNull(r.finished_at),
    updatedAt: num(r.updated_at),
  };
}

export function rowToEvent(r: Selectable<JobEventsTable>): JobEvent {
  return {
    jobId: r.job_id,
    seq: num(r.seq),
    type: r.type as JobEventType,
    status: r.status as JobStatus,
    createdAt: num(r.created_at),
    data: parseJson(r.data, {}),
  };
}

/** Unique-constraint violations of better-sqlite3 and node-postgres. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
