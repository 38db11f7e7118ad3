/**
 * What the engines and the page pipeline need to know, and the one mapping to it from the
 * service's configuration. The engines never read the environment or the whole `Config`: the
 * entry points (server start-up, the CLI commands, eval) call `engineOptionsFromConfig` once and
 * hand the result down, so a test or an embedding program can build `EngineOptions` by hand.
 */
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RETRY, type Config, type EngineName } from '@ocrflow/core';
import type { VlmEngineOptions } from './vlm/vlm.types.ts';
import type { PpStructureEngineOptions } from './ppstructure/ppstructure.types.ts';
import type { OcrEngine } from './types.ts';

export interface EngineOptions {
  /** The engine a caller gets when it names none. */
  engine: EngineName;
  /** Recognition languages when a caller names none (tesseract loads these). */
  languages: string[];
  /** ONNX intra-op threads of one local engine instance. */
  threads: number;
  /** Where `paddle` keeps its model graphs as rewritten at load; null: rewrite at every load. */
  modelCacheDir: string | null;
  /** Straighten photographed pages before reading them. */
  straighten: boolean;
  /** Read big images at the resolution their text needs (pipeline/page.ocr.ts). */
  workingScale: boolean;
  /** Decode the next page while the current one is read. */
  prefetchPages: boolean;
  /** Join a table that continues on the next page. */
  joinTables: boolean;
  /** Largest width × height and page count a document may have. */
  maxPixels: number;
  maxPages: number;
  vlm: VlmEngineOptions;
  ppstructure: PpStructureEngineOptions;
  /** The engine that re-reads a vlm page that asks for it (`withFallback`), or none. */
  vlmFallback: EngineName | 'none';
}

/** Per-instance choices a caller may make over `EngineOptions` (benchmarks, eval). */
export interface EngineCreateOptions {
  /** ONNX intra-op threads; default `EngineOptions.threads`. */
  intraOpNumThreads?: number;
  /** `paddle`: rewrite the model graphs at load (default true; false only to measure what it saves). */
  fuseGraphs?: boolean;
}

/** What each engine module exports as `createEngine` (registry.ts LOADERS). */
export type EngineFactory = (options: EngineOptions, create: EngineCreateOptions) => Promise<OcrEngine>;

/** Threads for one engine instance: the setting, or the cores shared among the workers. */
export function engineThreads(c: Pick<Config, 'ocrThreads' | 'workers'>): number {
  if (c.ocrThreads > 0) return c.ocrThreads;
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.floor(cores / Math.max(1, c.workers)));
}

function vlmOptions(c: Config): VlmEngineOptions {
  return {
    baseUrl: c.vlmBaseUrl,
    model: c.vlmModel,
    apiKey: c.vlmApiKey,
    timeoutMs: c.vlmTimeoutMs,
    concurrency: c.vlmConcurrency,
    maxTokens: c.vlmMaxTokens,
    maxImageSide: c.vlmMaxImageSide,
    promptStyle: c.vlmPromptStyle,
    extraBody: c.vlmExtraBody ? (JSON.parse(c.vlmExtraBody) as Record<string, unknown>) : {},
    retry: { ...DEFAULT_RETRY, maxRetries: c.vlmMaxRetries },
    healthTimeoutMs: 3000,
  };
}

function ppStructureOptions(c: Config): PpStructureEngineOptions {
  return {
    baseUrl: c.ppstructureUrl,
    token: c.ppstructureToken,
    timeoutMs: c.ppstructureTimeoutMs,
    // The service queues jobs itself; a few in flight keep it busy without flooding its queue.
    concurrency: c.vlmConcurrency,
    retry: { ...DEFAULT_RETRY, maxRetries: c.vlmMaxRetries },
    healthTimeoutMs: 3000,
  };
}

/** The engines' options from the service's configuration (the one place this mapping is made). */
export function engineOptionsFromConfig(c: Config): EngineOptions {
  return {
    engine: c.engine,
    languages: [...c.languages],
    threads: engineThreads(c),
    modelCacheDir: c.modelCache === 'off' ? null : c.modelCache || path.join(os.tmpdir(), 'ocrflow-model-cache'),
    straighten: c.straighten,
    workingScale: c.workingScale,
    prefetchPages: c.prefetchPages,
    joinTables: c.joinTables,
    maxPixels: c.maxPixels,
    maxPages: c.maxPages,
    vlm: vlmOptions(c),
    ppstructure: ppStructureOptions(c),
    vlmFallback: c.vlmFallbackEngine,
  };
}
