/**
 * Field confidences that mean what they say. Each extractor gives its field a raw evidence score
 * (how strongly the layout and the text point at the value, how cleanly OCR read it; any real
 * number, larger is surer). Calibration maps that score to the share of fields that were right at
 * that score on receipts with known answers: isotonic regression (pool-adjacent-violators), which
 * assumes only that a higher score is never less often right, with each pooled block's share
 * smoothed towards one half ((right + 0.5) / (n + 1)) so that a small block of successes does not
 * claim certainty. The fitted table lives in `confidence.table.ts`, written by
 * `npm run bench -- analysis --fit` from the development receipts only.
 */

export const SCORED_FIELDS = ['company', 'date', 'address', 'total'] as const;
export type ScoredField = (typeof SCORED_FIELDS)[number];

/** Per field: score thresholds in increasing order and the share right from each threshold on. */
export type Calibration = Record<ScoredField, { score: number; p: number }[]>;

export interface CalibrationPoint {
  score: number;
  right: boolean;
}

/** Calibrated key fields below this confidence are marked `check`: fewer than nine in ten are right there. */
export const CHECK_BELOW = 0.9;

/** The highest confidence calibration gives: no rule over OCR is certain. */
const MAX_CONFIDENCE = 0.99;

/** Isotonic (non-decreasing) fit of right/wrong against score: steps `{score, p}` from low to high. */
export function fitIsotonic(points: readonly CalibrationPoint[]): { score: number; p: number }[] {
  const sorted = [...points].sort((a, b) => a.score - b.score);
  // Ties form one block: equal scores cannot be told apart.
  const blocks: { lo: number; right: number; n: number }[] = [];
  for (const pt of sorted) {
    const last = blocks[blocks.length - 1];
    if (last && last.lo === pt.score) {
      last.n++;
      last.right += pt.right ? 1 : 0;
    } else blocks.push({ lo: pt.score, right: pt.right ? 1 : 0, n: 1 });
  }
  const pooled: typeof blocks = [];
  for (const b of blocks) {
    pooled.push({ ...b });
    while (pooled.length > 1) {
      const y = pooled[pooled.length - 1];
      const x = pooled[pooled.length - 2];
      if (x.right / x.n < y.right / y.n) break;
      pooled.splice(pooled.length - 2, 2, { lo: x.lo, right: x.right + y.right, n: x.n + y.n });
    }
  }
  return pooled.map((b) => ({ score: b.lo, p: Math.min(MAX_CONFIDENCE, (b.right + 0.5) / (b.n + 1)) }));
}

export function fitCalibration(points: Record<ScoredField, readonly CalibrationPoint[]>): Calibration {
  return Object.fromEntries(SCORED_FIELDS.map((f) => [f, fitIsotonic(points[f] ?? [])])) as Calibration;
}

/** The calibrated confidence of a raw score: the step it falls on (below the first step, the first). */
export function calibrate(steps: readonly { score: number; p: number }[], score: number): number {
  if (!steps.length) return squash(score);
  let p = steps[0].p;
  for (const s of steps) {
    if (score < s.score) break;
    p = s.p;
  }
  return Math.round(p * 100) / 100;
}

/** A raw evidence score shown as 0…1 when no calibration applies (monotone, so it can be fitted). */
export function squash(score: number): number {
  return Math.round((1 / (1 + Math.exp(-score))) * 1e4) / 1e4;
}

/** TypeScript source of a calibration table (what `--fit` writes). */
export function calibrationSource(cal: Calibration, fittedOn: string): string {
  const body = SCORED_FIELDS.map(
    (f) => `  ${f}: [\n${cal[f].map((s) => `    { score: ${Math.round(s.score * 1e4) / 1e4}, p: ${Math.round(s.p * 1e4) / 1e4} },`).join('\n')}\n  ],`,
  ).join('\n');
  return `/**
 * Fitted calibration of the built-in analyser's field confidences (see confidence.calibrate.ts).
 * Written by \`npm run bench -- analysis --fit\`; do not edit by hand. Fitted on: ${fittedOn}.
 */
import type { Calibration } from './confidence.calibrate.ts';

export const CALIBRATION: Calibration = {
${body}
};
`;
}
