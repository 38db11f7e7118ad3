/** The wire shapes of jobs and events (snake_case, ISO times) — kept in sync with `routes/jobs.schemas.ts`. */
import type { SerializedError } from '@ocrflow/core';
import type { JobEvent, JobMetrics, JobRecord, JobStatus } from '../ports/job.types.ts';
import { priorityOf } from '../ports/job.priority.ts';

export interface JobView {
  id: string;
  task_id: string | null;
  status: JobStatus;
  engine: string;
  mode: string;
  languages: string[];
  prompt: string | null;
  webhook_url: string | null;
  filename: string | null;
  mime: string;
  size_bytes: number;
  page_count: number;
  done_pages: number;
  queue_position: number | null;
  priority: number;
  error: { code: string; message: string } | null;
  attempts: number;
  metrics: JobMetrics;
  /** Table cells a person should check (confidence below the review threshold); null until the job finished. */
  cells_to_check: number | null;
  created_at: string;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  result_url: string | null;
  links: { self: string; events: string; result: string; cancel: string; retry: string };
}

export interface EventView {
  seq: number;
  type: string;
  job_id: string;
  status: JobStatus;
  time: string;
  [field: string]: unknown;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toJobView(j: JobRecord, opts: { queuePosition: number | null; baseUrl: string }): JobView {
  const self = `/v1/jobs/${j.id}`;
  const err: SerializedError | null = j.error;
  return {
    id: j.id,
    task_id: j.taskId,
    status: j.status,
    engine: j.engine,
    mode: j.mode,
    languages: j.languages,
    prompt: j.prompt,
    webhook_url: j.webhookUrl,
    filename: j.filename,
    mime: j.mime,
    size_bytes: j.sizeBytes,
    page_count: j.pageCount,
    done_pages: j.donePages,
    queue_position: j.status === 'queued' ? opts.queuePosition : null,
    priority: priorityOf(j),
    error: err ? { code: err.code, message: err.message } : null,
    attempts: j.attempts,
    metrics: j.metrics,
    cells_to_check: j.status === 'finished' ? (j.metrics.cells_to_check ?? null) : null,
    created_at: iso(j.createdAt) as string,
    queued_at: iso(j.queuedAt) as string,
    started_at: iso(j.startedAt),
    finished_at: iso(j.finishedAt),
    updated_at: iso(j.updatedAt) as string,
    result_url: j.status === 'finished' ? `${opts.baseUrl}${self}/result` : null,
    links: { self, events: `${self}/events`, result: `${self}/result`, cancel: self, retry: `${self}/retry` },
  };
}

export function toEventView(e: JobEvent): EventView {
  return { ...e.data, seq: e.seq, type: e.type, job_id: e.jobId, status: e.status, time: new Date(e.createdAt).toISOString() };
}
