/**
 * Page flags of the vlm engine and the fallback decision the pipeline reads ("a page
 * that fails [the repetition checks] falls back to paddle and is flagged"). No heavy imports: the
 * pipeline loads this for every page.
 */
import type { Config, EngineName } from '@ocrflow/core';

export const VLM_FLAGS = {
  /** Degenerate repetition was cut out of the answer. */
  repetition: 'vlm_repetition',
  /** The answer stopped at max_tokens. */
  truncated: 'vlm_truncated',
  /** The answer had no content. */
  empty: 'vlm_empty',
  /** The engine asks the pipeline to re-read the page with the fallback engine. */
  fallbackSuggested: 'vlm_fallback_suggested',
  /** Set by the pipeline: the page was re-read with the fallback engine. */
  fallback: 'vlm_fallback',
  /** Set by the pipeline: the fallback engine failed too, the (trimmed) vlm result was kept. */
  fallbackFailed: 'vlm_fallback_failed',
} as const;

/** True when a vlm page result asks to be re-read by the fallback engine. */
export function wantsFallback(r: { flags?: string[] }): boolean {
  return Boolean(r.flags?.includes(VLM_FLAGS.fallbackSuggested));
}

/** The fallback engine for a vlm page that asks for one, or null (none configured / not needed). */
export function fallbackEngineFor(r: { flags?: string[] }, c: Pick<Config, 'vlmFallbackEngine'>): EngineName | null {
  return wantsFallback(r) && c.vlmFallbackEngine !== 'none' ? c.vlmFallbackEngine : null;
}
