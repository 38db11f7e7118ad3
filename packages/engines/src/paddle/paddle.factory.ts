/** Registry entry of the `paddle` engine. */
import type { Config } from '@ocrflow/core';
import type { EngineCreateOptions } from '../registry.ts';
import type { OcrEngine } from '../types.ts';
import { PaddleEngine } from './paddle.engine.ts';

export async function createEngine(_config: Config, options: EngineCreateOptions): Promise<OcrEngine> {
  return PaddleEngine.create({ intraOpNumThreads: options.intraOpNumThreads, fuseGraphs: options.fuseGraphs });
}
