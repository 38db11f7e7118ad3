/**
 * Everything `startService` built for one process: the HTTP app picks from it what each route
 * plugin gets (FEATURE_ROUTES in app.ts), and embedding programs and tests reach it through
 * `RunningService.services` and `ExtensionHost.services`. Route plugins never see it: it holds
 * the adapters (`ctx`).
 */
import type { AnalysisService } from '../services/analysis.service.ts';
import type { BatchEventsService } from '../services/batch.events.ts';
import type { BatchResults } from '../services/batch.results.ts';
import type { BatchesService } from '../services/batches.service.ts';
import type { DeepSeekCompatService } from '../services/compat.deepseek.service.ts';
import type { PaddleCompatService } from '../services/compat.paddle.service.ts';
import type { EventsService } from '../services/events.service.ts';
import type { HealthService, ServiceState } from '../services/health.service.ts';
import type { JobsService } from '../services/jobs.service.ts';
import type { ResultsService } from '../services/results.service.ts';
import type { ServiceContext } from '../services/service.context.ts';
import type { SubmissionService } from '../services/submission.service.ts';
import type { WebhooksService } from '../services/webhooks.service.ts';
import type { JobRunner } from '../workers/job.runner.ts';
import type { WorkerPool } from '../workers/worker.pool.ts';
import type { Workbench } from '../workbench/workbench.ts';
import type { ServerMetrics } from './metrics.ts';
import type { StreamLimiter } from './stream.limiter.ts';
import type { FailureLimiter } from './auth.limiter.ts';

export interface AppServices {
  readonly ctx: ServiceContext;
  readonly jobs: JobsService;
  readonly submissions: SubmissionService;
  readonly events: EventsService;
  /** What /health, /ready and /engines report. */
  readonly health: HealthService;
  readonly results: ResultsService;
  /** Batches of documents: submit, read, cancel; their events and results zip. */
  readonly batches: BatchesService;
  readonly batchEvents: BatchEventsService;
  readonly batchResults: BatchResults;
  /** `analysis.json` of finished jobs and its webhook summary. */
  readonly analysis?: AnalysisService;
  /** The compatibility faces: DeepSeek-OCR-Web's /api/*, the PaddleOCR job service's results. */
  readonly deepseek: DeepSeekCompatService;
  readonly paddle: PaddleCompatService;
  readonly metrics: ServerMetrics;
  /** Wrong tokens per address, shared by every surface (a token that worked from there is never held back). */
  readonly authLimiter: FailureLimiter;
  /** Caps on concurrent long-polls and event streams (every such route holds a slot). */
  readonly streams: StreamLimiter;
  /** Webhook deliveries (log, redeliver). */
  readonly webhooks?: WebhooksService;
  /** Tasks, workbooks and the OCR bridge of the workbench (absent in `--role worker`). */
  readonly workbench?: Workbench;
  /** Null in processes without workers (`--role api|app`). */
  readonly runner: JobRunner | null;
  readonly pool: WorkerPool | null;
  /** Where start-up is (`accepting`, then `ready`); `startService` moves it on. */
  readonly state: ServiceState;
  /** Aborted when the server starts shutting down: long-polls and SSE streams end. */
  readonly closing: AbortSignal;
}
