/**
 * The raw evidence score of a key field, before calibration (confidence.calibrate.ts): how strongly
 * the layout rules chose it (the extractor's own score) and how cleanly OCR read its characters (the
 * recogniser's word confidences inside the field's box). Both enter as log-odds; the combination per
 * field was chosen on the development folds by how well it ranks right above wrong fields:
 *
 * - company: the choice among header rows, and the least sure word (one misread letter breaks a name);
 * - date: the choice alone (a date's characters are checked by parsing it);
 * - address: the mean word confidence (long, and wrong mostly through misread punctuation and
 *   letters, not through the wrong rows);
 * - total: the choice (label rank, arithmetic that confirms it) and the least sure word.
 */
import type { BBox } from '@ocrflow/core';
import type { FieldSource } from './analysis.schema.ts';
import type { DocLine } from './layout.lines.ts';
import type { ScoredField } from './confidence.calibrate.ts';

const logit = (p: number) => {
  const q = Math.min(0.999, Math.max(0.001, p));
  return Math.log(q / (1 - q));
};
const overlaps = (a: BBox, b: BBox) => a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1];

/** Confidences of the recognised words inside the field's box (the lines' when they carry no words). */
function wordConfidences(fld: FieldSource, lines: readonly DocLine[]): number[] {
  const b = fld.bbox;
  if (!b) return [];
  const out: number[] = [];
  for (const l of lines) {
    if (l.page !== fld.page || !overlaps(l.bbox, b)) continue;
    const ws = l.line.words.filter((w) => overlaps(w.bbox, b));
    if (ws.length) out.push(...ws.map((w) => w.confidence));
    else out.push(l.line.confidence);
  }
  return out;
}

/** Raw evidence of a field; `fld.confidence` is still the extractor's own score. */
export function fieldEvidence(field: ScoredField, fld: FieldSource, lines: readonly DocLine[]): number {
  const own = logit(fld.confidence);
  const conf = wordConfidences(fld, lines);
  // Unknown reading quality (a total computed from the arithmetic, no box): neither for nor against.
  const min = conf.length ? Math.min(...conf) : 0.5;
  const mean = conf.length ? conf.reduce((a, c) => a + c, 0) / conf.length : 0.5;
  switch (field) {
    case 'company':
      return own + 2 * logit(min);
    case 'date':
      return own;
    case 'address':
      return logit(mean);
    case 'total':
      return own + logit(min);
  }
}
