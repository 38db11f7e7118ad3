/**
 * Engines by name. Each engine module exports `createEngine(config, options)`; adding an engine is
 * one entry in LOADERS. Instances are cached one per name per thread (module state is per worker
 * thread, so every worker thread gets its own ONNX sessions) and created lazily on first use.
 */
import os from 'node:os';
import { OcrflowError, loadConfig, type Config, type EngineName } from '@ocrflow/core';
import type { OcrEngine } from './types.ts';

export interface EngineCreateOptions {
  /** ONNX intra-op threads; default from config (`ocrThreads`, 0 = cores / workers). */
  intraOpNumThreads?: number;
  /** `paddle`: rewrite the model graphs at load (default true; false only to measure what it saves). */
  fuseGraphs?: boolean;
}

export type EngineFactory = (config: Config, options: EngineCreateOptions) => Promise<OcrEngine>;

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

/** Threads for one engine instance: the setting, or the cores shared among the workers. */
export function engineThreads(config: Config, options: EngineCreateOptions = {}): number {
  if (options.intraOpNumThreads && options.intraOpNumThreads > 0) return options.intraOpNumThreads;
  if (config.ocrThreads > 0) return config.ocrThreads;
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.floor(cores / Math.max(1, config.workers)));
}

/** The engine `name` of this thread, created on first use. */
export function getEngine(name: EngineName, config: Config = loadConfig(), options: EngineCreateOptions = {}): Promise<OcrEngine> {
  let p = cache.get(name);
  if (!p) {
    const load = LOADERS[name];
    if (!load) return Promise.reject(new OcrflowError('OCRFLOW_ERR_ENGINE_UNAVAILABLE', `The OCR engine "${name}" is not available in this build`));
    p = load().then((m) => m.createEngine(config, { ...options, intraOpNumThreads: engineThreads(config, options) }));
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
