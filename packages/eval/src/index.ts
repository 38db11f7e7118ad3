/** @ocrflow/eval: dataset evaluation runner and quality metrics. */
export * from './metric.types.ts';
export { METRIC_MODULES } from './metrics.registry.ts';
export { loadDataset } from './dataset.loader.ts';
export { runEval, runEvalDetailed, median, peakRssMb, type EvalResult, type EvalOptions, type EvalProgress, type EvalDetail } from './eval.runner.ts';
export { alignInText, truthInReadingOrder, readingOrderCerCounts } from './metrics/line-order.ts';
export { textMetrics, editDistance, cerCounts, wordCounts, normalizeForCer, tokens, f1 } from './metrics/text.metrics.ts';
export { tedsMetrics, teds, tedsOfTables, tedsOfDocument, levenshtein, type DocumentTeds } from './metrics/teds.metric.ts';
export {
  adjacencyMetric,
  adjacencyF1,
  adjacencyF1OfDocument,
  adjacencyPairs,
  multisetF1,
  normalizeCellText,
  type AdjacencyDirection,
} from './metrics/adjacency.metric.ts';
export {
  fieldF1Metric,
  fieldCounts,
  fieldMatches,
  addMatches,
  countsF1,
  fieldString,
  normalizeField,
  type FieldCounts,
  type FieldMatch,
} from './metrics/field-f1.metric.ts';
export { OcrCache, defaultCacheDir, engineFingerprint, type OcrCacheOptions, type CachedDocument } from './ocr.cache.ts';
export { assignFolds, assignVendorFolds, groupVendorKeys, vendorKey, type FoldOptions, type FoldPlan } from './dataset.folds.ts';
export { ceilingLevel, documentLines, type CeilingLevel } from './ocr.ceiling.ts';
