/** Registry entry of the `paddle` engine. */
import os from 'node:os';
import path from 'node:path';
import type { Config } from '@ocrflow/core';
import type { EngineCreateOptions } from '../registry.ts';
import type { OcrEngine } from '../types.ts';
import { PaddleEngine } from './paddle.engine.ts';

/** Where rewritten models are kept between processes (config `modelCache`; "off": nowhere). */
export function modelCacheDir(config: Config): string | null {
  if (config.modelCache === 'off') return null;
  return config.modelCache || path.join(os.tmpdir(), 'ocrflow-model-cache');
}

export async function createEngine(config: Config, options: EngineCreateOptions): Promise<OcrEngine> {
  return PaddleEngine.create({ intraOpNumThreads: options.intraOpNumThreads, fuseGraphs: options.fuseGraphs, modelCacheDir: modelCacheDir(config) });
}
