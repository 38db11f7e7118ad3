/**
 * The wire shapes of the ocrflow service API, re-declared here so the SDK depends on no server
 * code (only type-only imports from `@ocrflow/core`, erased at run time). They mirror
 * `packages/server/src/routes/jobs.schemas.ts` and `services/job.view.ts`; the SDK tests run
 * against the real server, so a drift shows up there.
 */
import type { EngineName, ErrorCode, OcrDocument } from '@ocrflow/core';

export type { OcrDocument, EngineName };

export const JOB_STATUSES = ['queued', 'running', 'finished', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ['finished', 'failed', 'canceled'];
export const isTerminalStatus = (s: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(s);

export type JobMode = 'layout' | 'text';
export type WebhookEventName = 'finished' | 'failed' | 'canceled' | 'progress';
/** A known error code, or one a newer server added. */
export type ApiErrorCode = ErrorCode | (string & {});

export interface JobError {
  code: ApiErrorCode;
  message: string;
}

/** `GET /v1/jobs/{id}` and every route that answers with a job. */
export interface Job {
  /** ULID: sorts by creation time. */
  id: string;
  task_id: string | null;
  status: JobStatus;
  engine: string;
  mode: JobMode;
  languages: string[];
  prompt: string | null;
  webhook_url: string | null;
  filename: string | null;
  mime: string;
  size_bytes: number;
  page_count: number;
  done_pages: number;
  /** 1-based, while queued. */
  queue_position: number | null;
  /** From -10 to 10, higher runs sooner (absent from servers before it existed). */
  priority?: number;
  error: JobError | null;
  /** Times a worker started the job. */
  attempts: number;
  /** Per-stage timings (ms) and counters. */
  metrics: Record<string, unknown>;
  /** Finished jobs: table cells whose confidence is below the review threshold; null before (absent from servers before it existed). */
  cells_to_check?: number | null;
  created_at: string;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  /** Absolute URL of the result once finished. */
  result_url: string | null;
  links: { self: string; events: string; result: string; cancel: string; retry: string };
}

export type JobEventType = 'queued' | 'running' | 'finished' | 'failed' | 'canceled';

/** One job event; `seq` is 1, 2, 3, … per job without gaps. */
export interface JobEvent {
  seq: number;
  type: JobEventType;
  job_id: string;
  status: JobStatus;
  time: string;
  /** `running`: `started` or `page`. */
  phase?: string;
  /** `running` page events: the page just finished (1-based). */
  page?: number;
  done_pages?: number;
  total_pages?: number;
  /** `queued`: `submitted`, `retried`, `recovered`, … */
  reason?: string;
  attempt?: number;
  /** `failed`. */
  error?: JobError;
  [field: string]: unknown;
}

/** `GET /v1/jobs/{id}/events` (long-poll). */
export interface EventsPage {
  events: JobEvent[];
  last_seq: number;
  /** The job is terminal and its last event was returned. */
  done: boolean;
}

/** `GET /v1/jobs`. */
export interface JobList {
  jobs: Job[];
  next_cursor: string | null;
}

export interface ListQuery {
  taskId?: string;
  /** One status or several. */
  status?: JobStatus | JobStatus[];
  cursor?: string;
  /** 1..100, default 20. */
  limit?: number;
}

/** `GET /health` (open: no token needed). */
export interface Health {
  ok: boolean;
  queue_len: number;
  worker_alive: boolean;
  version?: string;
  role?: string;
  ready?: boolean;
  engines?: string[];
  default_engine?: string;
  workers?: { size: number; alive: number; busy: number };
  store?: string;
  queue?: string;
  uptime_s?: number;
  [field: string]: unknown;
}

/** Options of a submission (multipart fields or JSON body of `POST /v1/jobs`). */
export interface SubmitOptions {
  /** Shown in the job and used to name results; default: the path's base name or `upload`. */
  filename?: string;
  /** Your id: resubmitting the same content returns the same job, different content gets 409. */
  taskId?: string;
  webhookUrl?: string;
  webhookEvents?: WebhookEventName[];
  engine?: EngineName;
  mode?: JobMode;
  languages?: string[];
  /** For the vlm engine. */
  prompt?: string;
  /** From -10 to 10, default 0: higher runs sooner (e.g. a person waiting ahead of a batch). */
  priority?: number;
  signal?: AbortSignal;
}

export type ResultFormat = 'json' | 'markdown' | 'text' | 'html' | 'xlsx' | 'pdf';
export const RESULT_FORMATS: readonly ResultFormat[] = ['json', 'markdown', 'text', 'html', 'xlsx', 'pdf'];

/** What `result(id, format)` resolves to for each format. */
export interface ResultOf {
  json: OcrDocument;
  markdown: string;
  text: string;
  html: string;
  xlsx: Uint8Array;
  /** The searchable PDF. */
  pdf: Uint8Array;
}

/** `GET /v1/jobs/{id}/analysis` (`ocrflow.analysis/1`; see docs/analysis.md). */
export interface Analysis {
  schema: string;
  analyser: string;
  fallback_reason?: string;
  model?: string;
  kind: string;
  kind_confidence: number;
  fields: Record<string, unknown>;
  tables: Record<string, unknown>[];
  timings_ms: Record<string, number>;
}

export interface DeliveryAttempt {
  n: number;
  at: string;
  http_status: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

/** One webhook event for one target URL, with every attempt (`GET /v1/jobs/{id}/deliveries`). */
export interface Delivery {
  id: string;
  /** The Standard Webhooks message id: the same on every retry and redelivery. */
  webhook_id: string;
  type: `job.${WebhookEventName}`;
  event_seq: number;
  url: string;
  source: 'job' | 'global' | 'redeliver';
  state: 'pending' | 'sending' | 'delivered' | 'dead';
  attempt_count: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  redelivery_of: string | null;
  attempts: DeliveryAttempt[];
}

/** The JSON body a webhook receiver gets (see docs/webhooks.md). */
export interface WebhookPayload {
  type: `job.${WebhookEventName}`;
  job_id: string;
  task_id: string | null;
  status: string;
  result_url: string | null;
  /** Absolute path of the result directory on the server (DeepSeek-OCR-Web style clients). */
  result_dir: string | null;
  error: JobError | null;
  timestamp: string;
  total_pages: number;
  done_pages: number;
  event_seq: number;
  page?: number;
  analysis?: Record<string, unknown>;
  [field: string]: unknown;
}
