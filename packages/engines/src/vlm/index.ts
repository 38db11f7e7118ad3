/** The vlm engine (OpenAI-compatible vision endpoints) and the HTTP helpers shared with ppstructure. */
export { VlmEngine, createVlmEngine, createEngine, vlmOptionsFromConfig, wantsFallback, fallbackEngineFor, VLM_FLAGS, type VlmEngineOptions } from './vlm.engine.ts';
export { trimRepetition, type RepetitionOptions, type RepetitionResult } from './vlm.repetition.ts';
export { promptFor, resolvePromptStyle, DEEPSEEK_PROMPTS, GENERIC_PROMPTS, type PromptStyle } from './vlm.prompts.ts';
export { Semaphore, endpointSemaphore, useSharedLimits, type EndpointLimiter, parseRetryAfter, backoffDelay, endpointMessage, DEFAULT_RETRY, type RetryPolicy } from './remote.http.ts';
export { createSharedLimits, remoteLimitsFromConfig, releaseOwner, sharedInUse, SharedSemaphore, type SharedLimits } from './shared.semaphore.ts';
