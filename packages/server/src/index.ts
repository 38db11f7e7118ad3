/** @ocrflow/server: the OCR job service (HTTP API, workers, stores, queues). */
export { startService, createLogger, type StartOptions, type RunningService } from './service.runtime.ts';
export { buildApp, FEATURE_ROUTES, type FeatureRoutes } from './http/app.ts';
export type { AppServices, RouteOptions } from './http/app.services.ts';
export { bearerAuth, tokenMatcher } from './http/auth.hook.ts';
export { installErrorHandlers, sendError, toOcrflowError } from './http/errors.handler.ts';
export * from './ports/index.ts';
export { SqlJobStore } from './adapters/sql/sql.store.ts';
export type { Database } from './adapters/sql/sql.schema.ts';
export { MIGRATIONS } from './adapters/sql/migrations/index.ts';
export { STORE_FACTORIES, QUEUE_FACTORIES, createAdapters, type Adapters } from './adapters/adapters.factory.ts';
export { RESULT_FORMATS, type ResultFormat } from './services/result.formats.ts';
export { resultKeyOf } from './services/results.service.ts';
export { toJobView, toEventView, type JobView, type EventView } from './services/job.view.ts';
export { parseSubmitFields, type SubmitFields, type SubmitInput } from './services/submit.input.ts';
export type { SubmitCheck } from './services/submission.service.ts';
export type { ServiceContext } from './services/service.context.ts';
export type { PostJobStep, PostJobContext } from './workers/post-job.steps.ts';
