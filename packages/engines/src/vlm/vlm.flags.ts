/**
 * Page flags of the vlm engine, and whether a page asks to be re-read by the fallback engine
 * (`withFallback`, vlm.fallback.ts). No heavy imports.
 */

export const VLM_FLAGS = {
  /** Degenerate repetition was cut out of the answer. */
  repetition: 'vlm_repetition',
  /** The answer stopped at max_tokens. */
  truncated: 'vlm_truncated',
  /** The answer had no content. */
  empty: 'vlm_empty',
  /** The engine asks to have the page re-read by the fallback engine. */
  fallbackSuggested: 'vlm_fallback_suggested',
  /** Set by `withFallback`: the page was re-read with the fallback engine. */
  fallback: 'vlm_fallback',
  /** Set by `withFallback`: the fallback engine failed too, the (trimmed) vlm result was kept. */
  fallbackFailed: 'vlm_fallback_failed',
} as const;

/** True when a vlm page result asks to be re-read by the fallback engine. */
export function wantsFallback(r: { flags?: string[] }): boolean {
  return Boolean(r.flags?.includes(VLM_FLAGS.fallbackSuggested));
}
