/**
 * `withFallback(vlm, paddle)`: an engine that reads a page with the vlm engine and, when the answer
 * asks for it (it looped to its end, stopped at max_tokens or came back empty:
 * `vlm_fallback_suggested`), reads the page again with the fallback engine. The page then keeps
 * the vlm flags plus `vlm_fallback` and says which engine read it (`EnginePageResult.engine`). If
 * the fallback fails too, the trimmed vlm result stands, flagged `vlm_fallback_failed`.
 *
 * The fallback is asked for lazily: a local model is loaded only when a page first needs it.
 */
import type { EngineName } from '@ocrflow/core';
import type { EnginePageResult, OcrEngine, RasterImage, RecognizeOptions } from '../types.ts';
import { VLM_FLAGS, wantsFallback } from './vlm.flags.ts';

export interface FallbackEngine {
  name: EngineName;
  /** The fallback engine instance (the registry's, shared with jobs that name it). */
  get(): Promise<OcrEngine>;
}

export function withFallback(primary: OcrEngine, fallback: FallbackEngine): OcrEngine {
  return {
    name: primary.name,
    health: () => primary.health(),
    // The fallback engine belongs to the registry: it is released with the others, not here.
    dispose: () => primary.dispose(),
    async recognize(image: RasterImage, opts: RecognizeOptions): Promise<EnginePageResult> {
      const r = await primary.recognize(image, opts);
      if (!wantsFallback(r)) return r;
      try {
        const fr = await (await fallback.get()).recognize(image, opts);
        return {
          ...fr,
          engine: fallback.name,
          timings_ms: { ...r.timings_ms, ...fr.timings_ms },
          flags: [...(r.flags ?? []).filter((f) => f.startsWith('vlm_')), ...(fr.flags ?? []), VLM_FLAGS.fallback],
        };
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        return { ...r, flags: [...(r.flags ?? []), VLM_FLAGS.fallbackFailed] };
      }
    },
  };
}
