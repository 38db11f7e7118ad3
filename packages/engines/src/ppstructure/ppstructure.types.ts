/** Options of the ppstructure engine (built from the configuration by `engineOptionsFromConfig`). */
import type { RetryPolicy } from '@ocrflow/core';

export interface PpStructureEngineOptions {
  baseUrl: string;
  token: string;
  /** Whole page: upload, processing on the service, result. */
  timeoutMs: number;
  /** Pages in flight on the service at once from this process. */
  concurrency: number;
  retry: RetryPolicy;
  healthTimeoutMs: number;
  /** Longest single long-poll wait (tests shorten it). */
  pollMs?: number;
}
