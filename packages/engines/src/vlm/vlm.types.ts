/** Options of the vlm engine (built from the configuration by `engineOptionsFromConfig`). */
import type { RetryPolicy } from '@ocrflow/core';
import type { RepetitionOptions } from './vlm.repetition.ts';

export interface VlmEngineOptions {
  baseUrl: string;
  /** Empty: the first model the endpoint lists. */
  model: string;
  apiKey: string;
  timeoutMs: number;
  concurrency: number;
  maxTokens: number;
  maxImageSide: number;
  promptStyle: 'auto' | 'deepseek' | 'generic';
  extraBody: Record<string, unknown>;
  retry: RetryPolicy;
  /** Time-out of `health()`; it never retries. */
  healthTimeoutMs: number;
  repetition?: RepetitionOptions;
}
