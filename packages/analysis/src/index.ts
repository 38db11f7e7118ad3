/** @ocrflow/analysis: key facts of OCR documents (built-in layout rules, or an OpenAI-compatible LLM). */
export * from './analysis.schema.ts';
export { validateAnalysis, validateLlmAnswer, type Validation } from './analysis.validate.ts';
export { analyse, type AnalyseOptions, type AnalysisConfig } from './analyse.ts';
export { analyseBuiltin, type BuiltinOptions } from './builtin.analyser.ts';
export { analyseWithLlm, LLM_SYSTEM_PROMPT, type LlmOptions } from './llm.analyser.ts';
export { defaultLogger, type AnalysisLogger } from './analysis.logger.ts';
export { analysisSummary, type AnalysisSummary } from './analysis.summary.ts';
export { findDates, parseDate, isValidIsoDate, type DateMatch } from './normalize.date.ts';
export { findAmounts, parseAmount, formatAmount, readNumber, type AmountMatch } from './normalize.amount.ts';
export { analyseTable, analyseTables } from './tables.stats.ts';
export { toSroieFields, amountAsPrinted, SROIE_FIELDS, type SroieFields } from './sroie.view.ts';
export {
  fitCalibration,
  fitIsotonic,
  calibrate,
  CHECK_BELOW,
  calibrationSource,
  SCORED_FIELDS,
  type Calibration,
  type CalibrationPoint,
  type ScoredField,
} from './confidence.calibrate.ts';
