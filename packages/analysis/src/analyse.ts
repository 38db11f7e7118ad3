/**
 * `analyse(doc, config)`: the analysis step's entry point. The LLM analyser when an endpoint is
 * configured (`OCRFLOW_LLM_BASE_URL`), else the built-in one. Never throws for a bad LLM answer:
 * the built-in result comes back with `fallback_reason`.
 */
import type { Config, OcrDocument } from '@ocrflow/core';
import type { Analysis } from './analysis.schema.ts';
import { analyseBuiltin } from './builtin.analyser.ts';
import { analyseWithLlm } from './llm.analyser.ts';
import { defaultLogger, type AnalysisLogger } from './analysis.logger.ts';

export type AnalysisConfig = Pick<Config, 'llmBaseUrl' | 'llmModel' | 'llmApiKey' | 'llmTimeoutMs'> & Partial<Pick<Config, 'logLevel'>>;

export interface AnalyseOptions {
  logger?: AnalysisLogger;
  /** Aborts an LLM request (e.g. the job was canceled); the built-in result is returned. */
  signal?: AbortSignal;
  /** Force an analyser regardless of the configuration. */
  analyser?: 'builtin' | 'llm';
}

export async function analyse(doc: OcrDocument, config: AnalysisConfig, opts: AnalyseOptions = {}): Promise<Analysis> {
  const useLlm = opts.analyser ? opts.analyser === 'llm' : !!config.llmBaseUrl;
  if (!useLlm || !config.llmBaseUrl) return analyseBuiltin(doc);
  return analyseWithLlm(doc, {
    baseUrl: config.llmBaseUrl,
    model: config.llmModel,
    apiKey: config.llmApiKey || undefined,
    timeoutMs: config.llmTimeoutMs,
    logger: opts.logger ?? defaultLogger(config.logLevel),
    signal: opts.signal,
  });
}
