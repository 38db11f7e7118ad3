/** @ocrflow/client: the typed SDK of the ocrflow service API (see docs/api.md and docs/cli.md). */
export { OcrflowClient, type OcrflowClientOptions, type CallOptions, type EventsOptions, type WaitOptions, type ResultOptions } from './ocrflow.client.ts';
export {
  OcrflowClientError,
  OcrflowApiError,
  OcrflowNetworkError,
  OcrflowTimeoutError,
  OcrflowInputError,
  OcrflowWebhookError,
  isTransient,
} from './client.errors.ts';
export { verifyWebhook, type HeadersLike } from './webhook.verify.ts';
export { parseSse, type SseMessage, type SseItem } from './client.sse.ts';
export { backoffMs, type FollowOptions, type EventTransport } from './client.follow.ts';
export type { FetchLike } from './client.http.ts';
export { injectFetch, type Injectable, type InjectRequest, type InjectResponse } from './client.inject.ts';
export type { SubmitInput } from './client.upload.ts';
export * from './client.types.ts';
export { BatchesApi, type BatchWaitOptions } from './client.batches.ts';
export type * from './client.batch.types.ts';
