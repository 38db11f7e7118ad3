/**
 * Pluggable quality metrics of the evaluation runner. A metric module fills one or more keys of
 * the result (`cer`, `word_f1`, `teds`, `teds_s`, `adj_f1`, `field_f1`) from the documents it sees; the runner
 * knows nothing about any metric. Adding one: write a module exporting a `MetricModule` and add it
 * to `METRIC_MODULES` in `metrics.registry.ts` (one line).
 */
import type { OcrDocument } from '@ocrflow/core';
import type { AnalysisConfig } from '@ocrflow/analysis';

export const METRIC_KEYS = ['cer', 'word_f1', 'teds', 'teds_s', 'adj_f1', 'field_f1'] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** One sample of a dataset folder (see ../shared/datasets/README.md). */
export interface EvalSample {
  name: string;
  imagePath: string;
  /** `NAME.gt.txt`: lines in reading order. */
  truthText?: string;
  /** `NAME.gt.html`: one `<table>` per line. */
  truthHtml?: string;
  /** `NAME.gt.json`: key fields. */
  truthFields?: Record<string, string>;
  /** `NAME.ref.html`: another system's table output (a peer, not the truth). */
  refHtml?: string;
}

export interface MetricInput {
  sample: EvalSample;
  doc: OcrDocument;
  /** Plain text of the document (`documentToText`), computed once for all metrics. */
  text: string;
}

export interface MetricAccumulator {
  /** Score one document (ignore it when the sample has no ground truth of this kind). */
  add(input: MetricInput): void | Promise<void>;
  /** Values over the set; null where no document had ground truth. */
  result(): Partial<Record<MetricKey, number | null>>;
}

/** What the runner gives every metric when it starts (the metrics that need nothing ignore it). */
export interface MetricContext {
  /** The analyser's settings, for metrics that run the analysis (field F1). */
  analysis: AnalysisConfig;
}

export interface MetricModule {
  name: string;
  keys: readonly MetricKey[];
  create(ctx: MetricContext): MetricAccumulator;
}
