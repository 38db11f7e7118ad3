/**
 * The job domain types shared by every port, service and adapter. Times are epoch milliseconds in
 * the domain and ISO strings on the wire (see `services/job.view.ts`).
 */
import type { EngineName, SerializedError } from '@ocrflow/core';

export const JOB_STATUSES = ['queued', 'running', 'finished', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['finished', 'failed', 'canceled'];
export const isTerminal = (s: JobStatus): boolean => TERMINAL_STATUSES.includes(s);

export type JobMode = 'layout' | 'text';

export const JOB_EVENT_TYPES = ['queued', 'running', 'finished', 'failed', 'canceled'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/** Per-stage timings and counters of one job (all optional: filled as the job moves on). */
export interface JobMetrics {
  /** Upload streamed to disk and hashed. */
  receive_ms?: number;
  /** Type sniffing and header checks at submission. */
  inspect_ms?: number;
  /** Time spent queued before the (latest) claim. */
  queue_wait_ms?: number;
  /** Decoding the document in the worker thread (per attempt, summed). */
  open_ms?: number;
  /** Sum of the engine's per-stage timings over all pages (`detect`, `recognise`, ...). */
  stages_ms?: Record<string, number>;
  /** Wall time of each page in the worker thread, summed. */
  pages_ms?: number;
  /** Assembling the document and writing the result files. */
  assemble_ms?: number;
  write_results_ms?: number;
  /** Post-job steps (analysis, ...) by name. */
  steps_ms?: Record<string, number>;
  /** From claim to terminal state, of the last attempt. */
  run_ms?: number;
  /** From submission to terminal state. */
  total_ms?: number;
  /** Worker thread recycles that happened inside this job. */
  recycles?: number;
  /** Table cells below the review threshold (`OCRFLOW_REVIEW_THRESHOLD`) in the finished result. */
  cells_to_check?: number;
}

export interface JobRecord {
  id: string;
  /** The tenant whose token submitted it (core/tenant.tokens.ts). */
  tenant: string;
  taskId: string | null;
  status: JobStatus;
  engine: EngineName;
  mode: JobMode;
  languages: string[];
  prompt: string | null;
  webhookUrl: string | null;
  filename: string | null;
  mime: string;
  sizeBytes: number;
  /** sha256 of the uploaded bytes (hex). */
  sha256: string;
  /** sha256 over the bytes' hash and the options: what task_id idempotency compares. */
  contentHash: string;
  /** Blob key of the uploaded document. */
  sourceKey: string;
  /** Blob key prefix of the result directory, set when finished. */
  resultKey: string | null;
  pageCount: number;
  donePages: number;
  /** Number of times a worker claimed the job. */
  attempts: number;
  error: SerializedError | null;
  metrics: JobMetrics;
  /**
   * Extra per-job options later features need (e.g. `webhook_events`), stored as JSON so adding one
   * does not need a migration.
   */
  options: Record<string, unknown>;
  /** Seq of the newest event of this job. */
  lastSeq: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  createdAt: number;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

export interface JobEvent {
  jobId: string;
  /** 1, 2, 3, … per job, no gaps. */
  seq: number;
  type: JobEventType;
  /** The job's status right after the event. */
  status: JobStatus;
  createdAt: number;
  /** Event-specific fields: `page`, `total_pages`, `done_pages`, `reason`, `attempt`, `error`. */
  data: Record<string, unknown>;
}

/** What `JobStore.insertJob` needs; ids and times come from the service. */
export interface NewJob {
  id: string;
  tenant: string;
  taskId: string | null;
  engine: EngineName;
  mode: JobMode;
  languages: string[];
  prompt: string | null;
  webhookUrl: string | null;
  filename: string | null;
  mime: string;
  sizeBytes: number;
  sha256: string;
  contentHash: string;
  sourceKey: string;
  pageCount: number;
  metrics: JobMetrics;
  options: Record<string, unknown>;
  now: number;
}

/** A state change and the event it appended, returned so the caller can publish it after commit. */
export interface Transition {
  job: JobRecord;
  event: JobEvent;
}
