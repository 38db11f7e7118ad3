/**
 * The evaluation runner behind `ocrflow eval`: every sample of a dataset folder through
 * `runDocument`, every registered metric module fed with the result, timing per page (wall and CPU)
 * and the process's peak RSS. The output object is the evaluation contract documented in docs/cli.md.
 */
import { readFile } from 'node:fs/promises';
import { documentToText, type EngineName, type OcrDocument } from '@ocrflow/core';
import { runDocument, type EngineCreateOptions, type EngineOptions, type OcrMode } from '@ocrflow/engines';
import type { AnalysisConfig } from '@ocrflow/analysis';
import { loadDataset } from './dataset.loader.ts';
import { METRIC_MODULES } from './metrics.registry.ts';
import type { EvalSample, MetricKey, MetricModule } from './metric.types.ts';

export interface EvalResult {
  documents: number;
  cer: number | null;
  word_f1: number | null;
  teds: number | null;
  teds_s: number | null;
  /** Table adjacency F1 (datasets README). */
  adj_f1: number | null;
  field_f1: number | null;
  /** Median wall-clock seconds per page. */
  seconds_per_page: number;
  peak_rss_mb: number;
}

export interface EvalProgress {
  index: number;
  total: number;
  sample: EvalSample;
  seconds: number;
  cpuSeconds: number;
  pages: number;
  error?: string;
}

export interface EvalOptions {
  engine?: EngineName;
  languages?: string[];
  mode?: OcrMode;
  limit?: number;
  /** The engines' options (`engineOptionsFromConfig`). */
  options: EngineOptions;
  /** The analyser field F1 runs (built-in, or the LLM when it names one). */
  analysis: AnalysisConfig;
  engineOptions?: EngineCreateOptions;
  metrics?: readonly MetricModule[];
  onProgress?: (p: EvalProgress) => void;
  /** Receives each document (bench and debugging). */
  onDocument?: (sample: EvalSample, doc: OcrDocument, text: string) => void;
}

export interface EvalDetail {
  result: EvalResult;
  /** Per-page wall and CPU seconds. */
  pageSeconds: number[];
  pageCpuSeconds: number[];
  failures: { name: string; error: string }[];
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function peakRssMb(): number {
  // maxRSS is in kilobytes and covers the whole process, worker threads included.
  return process.resourceUsage().maxRSS / 1024;
}

export async function runEvalDetailed(dir: string, opts: EvalOptions): Promise<EvalDetail> {
  let samples = loadDataset(dir);
  if (opts.limit !== undefined) samples = samples.slice(0, opts.limit);
  const modules = opts.metrics ?? METRIC_MODULES;
  const accs = modules.map((m) => m.create({ analysis: opts.analysis }));
  const pageSeconds: number[] = [];
  const pageCpuSeconds: number[] = [];
  const failures: { name: string; error: string }[] = [];
  let documents = 0;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i];
    const data = await readFile(sample.imagePath);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let doc: OcrDocument;
    try {
      doc = await runDocument(data, {
        options: opts.options,
        engine: opts.engine ?? opts.options.engine,
        languages: opts.languages,
        mode: opts.mode ?? 'layout',
        engineOptions: opts.engineOptions,
        filename: sample.name,
      });
    } catch (e) {
      const error = (e as Error).message;
      failures.push({ name: sample.name, error });
      opts.onProgress?.({ index: i, total: samples.length, sample, seconds: 0, cpuSeconds: 0, pages: 0, error });
      continue;
    }
    const seconds = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    const cpuSeconds = (cu.user + cu.system) / 1e6;
    const pages = Math.max(1, doc.pages.length);
    for (let p = 0; p < pages; p++) {
      pageSeconds.push(seconds / pages);
      pageCpuSeconds.push(cpuSeconds / pages);
    }
    documents++;
    const text = documentToText(doc);
    opts.onDocument?.(sample, doc, text);
    for (const a of accs) await a.add({ sample, doc, text });
    opts.onProgress?.({ index: i, total: samples.length, sample, seconds, cpuSeconds, pages });
  }
  const values: Partial<Record<MetricKey, number | null>> = {};
  for (const a of accs) Object.assign(values, a.result());
  const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 10000) / 10000);
  const result: EvalResult = {
    documents,
    cer: round(values.cer),
    word_f1: round(values.word_f1),
    teds: round(values.teds),
    teds_s: round(values.teds_s),
    adj_f1: round(values.adj_f1),
    field_f1: round(values.field_f1),
    seconds_per_page: Math.round(median(pageSeconds) * 1000) / 1000,
    peak_rss_mb: Math.round(peakRssMb()),
  };
  return { result, pageSeconds, pageCpuSeconds, failures };
}

export async function runEval(dir: string, opts: EvalOptions): Promise<EvalResult> {
  return (await runEvalDetailed(dir, opts)).result;
}
