/**
 * Steps that run after OCR and before a job is marked finished — the analysis step, added by
 * `service.runtime.ts` with `JobRunner.addPostJobStep` (or by an extension). Steps see the
 * assembled document and the result directory and may write files there. Their timings land in
 * `metrics.steps_ms`. A failing non-critical step is logged and recorded in `metrics`, and the job
 * still finishes (OCR results must not be lost to an optional step); a critical one fails the job.
 *
 * Writes that must be atomic with the terminal status (the webhook outbox) do not
 * belong here: use `JobStore.addTerminalHook`, which runs inside that transaction.
 */
import type { OcrDocument } from '@ocrflow/core';
import type { JobRecord } from '../ports/job.types.ts';
import type { ServiceContext } from '../services/service.context.ts';

export interface PostJobContext {
  job: JobRecord;
  document: OcrDocument;
  /** Blob key prefix of the job's result directory (`${resultKey}/analysis.json`, …). */
  resultKey: string;
  ctx: ServiceContext;
  signal: AbortSignal;
}

export interface PostJobStep {
  name: string;
  critical?: boolean;
  run(c: PostJobContext): Promise<void>;
}
