/** Registry entry of the `paddle` engine. */
import type { EngineCreateOptions, EngineOptions } from '../engine.options.ts';
import type { OcrEngine } from '../types.ts';
import { PaddleEngine } from './paddle.engine.ts';

export async function createEngine(options: EngineOptions, create: EngineCreateOptions): Promise<OcrEngine> {
  return PaddleEngine.create({
    intraOpNumThreads: create.intraOpNumThreads || options.threads,
    fuseGraphs: create.fuseGraphs,
    modelCacheDir: options.modelCacheDir,
  });
}
