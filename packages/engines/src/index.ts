/** @ocrflow/engines: the document pipeline and the OCR engines. */
export * from './types.ts';
export { inspectDocument } from './pipeline/document.inspect.ts';
export { openDocument, exifRotation } from './pipeline/document.open.ts';
export { sniffMime } from './pipeline/document.sniff.ts';
export { straightenPage, applyStraightening, straighteningMap, STRAIGHTEN_FLAGS, type StraightenResult } from './image/page.straighten.ts';
export { processPage, type ProcessOptions } from './pipeline/page.process.ts';
export { ocrPage, renderForOcr, type PageRender } from './pipeline/page.ocr.ts';
export { scalePage } from './pipeline/page.rescale.ts';
export { PagePrefetch } from './pipeline/page.prefetch.ts';
export { runDocument, assembleDocument, type RunOptions } from './pipeline/document.run.ts';
export { getEngine, useEngine, disposeEngines, registeredEngines } from './registry.ts';
export { engineOptionsFromConfig, engineThreads, type EngineOptions, type EngineCreateOptions, type EngineFactory } from './engine.options.ts';
export { withFallback, type FallbackEngine } from './vlm/vlm.fallback.ts';
export { LAYOUT_STAGES, type LayoutStage, type LayoutContext, type LayoutStageResult } from './layout/layout.stages.ts';
export { buildBlocks, mergeRow } from './layout/page.layout.ts';
export { orderRows, groupRows, groupBlocks } from './layout/reading-order.ts';
export { renderSearchablePdf } from './searchable/searchable.pdf.ts';
export { probeEngines, type EngineStatus } from './engines.probe.ts';
// The one HTML table reader: the metrics read ground truth and predictions with it.
export { parseHtmlTableRows, type HtmlTable, type HtmlCell } from './markup/html-table.parser.ts';
// Concurrency limits of the remote engines shared by all worker threads (the server's pool creates
// them, each thread adopts them); light modules, so importing them loads no engine.
export { useSharedLimits } from './remote/endpoint.semaphore.ts';
export { remoteLimitsFromConfig, createSharedLimits, releaseOwner, sharedInUse, SharedSemaphore, type SharedLimits } from './remote/shared.semaphore.ts';
export { runPpStructureJob } from './ppstructure/ppstructure.client.ts';
