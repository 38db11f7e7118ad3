/** The ppstructure engine: an existing PaddleOCR PP-StructureV3 job service as an ocrflow engine. */
export { PpStructureEngine, createPpStructureEngine, createEngine, ppStructureOptionsFromConfig, type PpStructureEngineOptions } from './ppstructure.engine.ts';
export { runPpStructureJob, ppStructureHealth, type PpStructureResult, type PpStructurePage, type PpStructureBlock } from './ppstructure.client.ts';
export { ppPageToBlocks } from './ppstructure.mapper.ts';
