/**
 * Field F1 (SROIE task 3): the analysis step runs on each recognised document, and each key field
 * of `NAME.gt.json` is compared with the analyser's value by exact match after upper-casing and
 * collapsing white space; matched, predicted (non-empty) and ground-truth (non-empty) counts are
 * summed over all fields of all documents, then F1 (micro average).
 *
 * The SROIE fields come from the SROIE view of the analysis (`date` as written, `total` as printed
 * without a currency code); any other ground-truth key is compared with the analysis field of the
 * same name. The analyser is the one the runner was given (`EvalOptions.analysis`): built-in unless
 * it names an LLM endpoint (OCRFLOW_LLM_BASE_URL).
 */
import { analyse, toSroieFields, type Analysis, type SroieFields } from '@ocrflow/analysis';
import type { MetricContext, MetricInput, MetricModule } from '../metric.types.ts';

export function normalizeField(s: string): string {
  return s.toUpperCase().replace(/\s+/gu, ' ').trim();
}

export interface FieldCounts {
  matched: number;
  predicted: number;
  truth: number;
}

/** The analysis' string for a ground-truth key. */
export function fieldString(a: Analysis, key: string): string {
  const sroie = toSroieFields(a);
  if (key in sroie) return sroie[key as keyof SroieFields];
  const f = (a.fields as Record<string, unknown>)[key];
  if (f && typeof f === 'object' && !Array.isArray(f) && 'value' in f) return String((f as { value: unknown }).value);
  return '';
}

/** One ground-truth key of one document: the two strings compared and whether they match. */
export interface FieldMatch {
  key: string;
  predicted: string;
  truth: string;
  matched: boolean;
}

/** Every ground-truth key of one document, compared (the per-field view of `fieldCounts`). */
export function fieldMatches(a: Analysis, truth: Record<string, string>): FieldMatch[] {
  return Object.entries(truth).map(([key, raw]) => {
    const t = normalizeField(String(raw ?? ''));
    const p = normalizeField(fieldString(a, key));
    return { key, predicted: p, truth: t, matched: !!p && !!t && p === t };
  });
}

/** Adds matches to counts (all keys, or one). */
export function addMatches(c: FieldCounts, ms: readonly FieldMatch[], key?: string): FieldCounts {
  for (const m of ms) {
    if (key !== undefined && m.key !== key) continue;
    if (m.predicted) c.predicted++;
    if (m.truth) c.truth++;
    if (m.matched) c.matched++;
  }
  return c;
}

/** Micro F1 of counts (1 when there is nothing to find and nothing was found). */
export function countsF1(c: FieldCounts): number {
  const d = c.predicted + c.truth;
  return d ? (2 * c.matched) / d : 1;
}

/** Counts of one document. */
export function fieldCounts(a: Analysis, truth: Record<string, string>): FieldCounts {
  return addMatches({ matched: 0, predicted: 0, truth: 0 }, fieldMatches(a, truth));
}

export const fieldF1Metric: MetricModule = {
  name: 'field-f1',
  keys: ['field_f1'],
  create({ analysis }: MetricContext) {
    const total: FieldCounts = { matched: 0, predicted: 0, truth: 0 };
    let n = 0;
    return {
      async add({ sample, doc }: MetricInput) {
        if (!sample.truthFields) return;
        n++;
        const a = await analyse(doc, analysis);
        const c = fieldCounts(a, sample.truthFields);
        total.matched += c.matched;
        total.predicted += c.predicted;
        total.truth += c.truth;
      },
      result() {
        if (!n) return { field_f1: null };
        return { field_f1: countsF1(total) };
      },
    };
  },
};
