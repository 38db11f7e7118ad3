/**
 * Engines by name. Each engine module exports `createEngine(options, create)`; adding an engine is
 * one entry in LOADERS. Instances are cached one per name per thread (module state is per worker
 * thread, so every worker thread gets its own ONNX sessions) and created lazily on first use.
 */
import { OcrflowError, type EngineName } from '@ocrflow/core';
import type { EngineCreateOptions, EngineFactory, EngineOptions } from './engine.options.ts';
import type { OcrEngine } from './types.ts';
import { withFallback } from './vlm/vlm.fallback.ts';

const LOADERS: Partial<Record<EngineName, () => Promise<{ createEngine: EngineFactory }>>> = {
  paddle: () => import('./paddle/paddle.factory.ts'),
  tesseract: () => import('./tesseract/tesseract.engine.ts'),
  // Remote engines (no local model): an OpenAI-compatible VLM endpoint, an existing PaddleOCR service.
  vlm: () => import('./vlm/vlm.engine.ts'),
  ppstructure: () => import('./ppstructure/ppstructure.engine.ts'),
};

const cache = new Map<EngineName, Promise<OcrEngine>>();

export function registeredEngines(): EngineName[] {
  return Object.keys(LOADERS) as EngineName[];
}

/**
 * The engine `name` of this thread, created on first use with these options (later calls get the
 * same instance whatever options they pass). A `vlm` engine comes wrapped in `withFallback` when
 * a fallback engine is set.
 */
export function getEngine(name: EngineName, options: EngineOptions, create: EngineCreateOptions = {}): Promise<OcrEngine> {
  let p = cache.get(name);
  if (!p) {
    const load = LOADERS[name];
    if (!load) return Promise.reject(new OcrflowError('OCRFLOW_ERR_ENGINE_UNAVAILABLE', `The OCR engine "${name}" is not available in this build`));
    const fallback = options.vlmFallback;
    p = load()
      .then((m) => m.createEngine(options, create))
      .then((e) => (name === 'vlm' && fallback !== 'none' ? withFallback(e, { name: fallback, get: () => getEngine(fallback, options, create) }) : e));
    // A failed creation is not cached: the next job may try again (e.g. after a config fix).
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return p;
}

/**
 * Use this instance as engine `name` in this thread (benchmarks with tuned options, tests).
 * The registry owns it from now on: `disposeEngines` releases it.
 */
export function useEngine(name: EngineName, engine: OcrEngine | Promise<OcrEngine>): void {
  cache.set(name, Promise.resolve(engine));
}

/** Release every engine of this thread. */
export async function disposeEngines(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  await Promise.allSettled(all.map(async (p) => (await p).dispose()));
}
