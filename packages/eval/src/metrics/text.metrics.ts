/**
 * CER and word F1 as the dataset README defines them (SROIE task 2 style):
 * - CER: Levenshtein distance between recognised text and ground truth after NFKC, upper-casing and
 *   removing all white space; total edits over total ground-truth characters of the set.
 * - Word F1: white-space tokens (NFKC, upper-cased) as multisets, order ignored; matched, predicted
 *   and ground-truth counts summed over the set, then F1.
 */
import type { MetricModule, MetricInput } from '../metric.types.ts';

export function normalizeForCer(s: string): string {
  return s.normalize('NFKC').toUpperCase().replace(/\s+/gu, '');
}

export function tokens(s: string): string[] {
  return s.normalize('NFKC').toUpperCase().split(/\s+/u).filter(Boolean);
}

/** Levenshtein distance over code points, O(min(n, m)) memory. */
export function editDistance(a: string, b: string): number {
  let x = [...a],
    y = [...b];
  if (x.length < y.length) [x, y] = [y, x];
  if (y.length === 0) return x.length;
  let prev = new Uint32Array(y.length + 1),
    cur = new Uint32Array(y.length + 1);
  for (let j = 0; j <= y.length; j++) prev[j] = j;
  for (let i = 1; i <= x.length; i++) {
    cur[0] = i;
    const xi = x[i - 1];
    for (let j = 1; j <= y.length; j++) {
      const sub = prev[j - 1] + (xi === y[j - 1] ? 0 : 1);
      const del = prev[j] + 1,
        ins = cur[j - 1] + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
    }
    [prev, cur] = [cur, prev];
  }
  return prev[y.length];
}

export interface CerCounts {
  edits: number;
  chars: number;
}
export function cerCounts(pred: string, truth: string): CerCounts {
  const p = normalizeForCer(pred),
    t = normalizeForCer(truth);
  return { edits: editDistance(p, t), chars: [...t].length };
}

export interface WordCounts {
  matched: number;
  predicted: number;
  truth: number;
}
export function wordCounts(pred: string, truth: string): WordCounts {
  const bag = new Map<string, number>();
  const t = tokens(truth),
    p = tokens(pred);
  for (const w of t) bag.set(w, (bag.get(w) ?? 0) + 1);
  let matched = 0;
  for (const w of p) {
    const n = bag.get(w) ?? 0;
    if (n > 0) {
      matched++;
      bag.set(w, n - 1);
    }
  }
  return { matched, predicted: p.length, truth: t.length };
}

export function f1(c: WordCounts): number {
  if (c.predicted + c.truth === 0) return 1;
  return (2 * c.matched) / (c.predicted + c.truth);
}

export const textMetrics: MetricModule = {
  name: 'text',
  keys: ['cer', 'word_f1'],
  create() {
    const cer: CerCounts = { edits: 0, chars: 0 };
    const w: WordCounts = { matched: 0, predicted: 0, truth: 0 };
    let n = 0;
    return {
      add({ sample, text }: MetricInput) {
        if (sample.truthText === undefined) return;
        n++;
        const c = cerCounts(text, sample.truthText);
        cer.edits += c.edits;
        cer.chars += c.chars;
        const k = wordCounts(text, sample.truthText);
        w.matched += k.matched;
        w.predicted += k.predicted;
        w.truth += k.truth;
      },
      result() {
        if (!n) return { cer: null, word_f1: null };
        return { cer: cer.chars ? cer.edits / cer.chars : 0, word_f1: f1(w) };
      },
    };
  },
};
