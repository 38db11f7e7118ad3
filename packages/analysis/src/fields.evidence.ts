import type { FieldSource } from './analysis.schema.ts';
import type { DocLine } from './layout.lines.ts';
import type { ScoredField } from './confidence.calibrate.ts';

export function fieldEvidence(_f: ScoredField, fld: FieldSource, _lines: readonly DocLine[]): number {
  const c = Math.min(0.999, Math.max(0.001, fld.confidence));
  return Math.log(c / (1 - c));
}
