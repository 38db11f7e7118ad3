/**
 * The working scale of a page from the line boxes the detector found on a small copy of it.
 * Recognition reads every line at REC_HEIGHT (48 px): a line printed 200 px high on a 600-dpi
 * scan is averaged down to 48 px anyway, so sampling it from a copy where it is just above 48 px
 * gives the recogniser the same input for a fraction of the pixels. The scale is set by the
 * small lines (a low percentile of box heights), so fine print keeps all the pixels it has.
 */
import type { Point } from '@ocrflow/core';
import { REC_HEIGHT } from '../recognise/rec.constants.ts';

/** Lines below this percentile of box height may fall under the recogniser's height. */
const SMALL_LINE_PERCENTILE = 0.1;
/** Box height (working pixels) wanted for the small lines: line crops add a 10 % margin on top. */
const TARGET_BOX_HEIGHT = REC_HEIGHT;
/** Too few boxes to measure the text: keep the page as it is. */
const MIN_BOXES = 3;

/** Height of a line box: its shorter side, so sideways lines measure the same as upright ones. */
function boxHeight(q: readonly Point[]): number {
  const w = (Math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]) + Math.hypot(q[2][0] - q[3][0], q[2][1] - q[3][1])) / 2;
  const h = (Math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]) + Math.hypot(q[2][0] - q[1][0], q[2][1] - q[1][1])) / 2;
  return Math.min(w, h);
}

/**
 * Scale (≤ 1) for a page `fullWidth` × `fullHeight` from quads measured on a copy `previewWidth`
 * wide; never below the scale at which the page would be smaller than `minPixels` (the detector's
 * input: tables and orientation also look at the working copy).
 */
export function workingScale(quads: readonly (readonly Point[])[], previewWidth: number, fullWidth: number, fullHeight: number, minPixels: number): number {
  if (quads.length < MIN_BOXES) return 1;
  const hs = quads.map(boxHeight).sort((a, b) => a - b);
  const small = hs[Math.floor(SMALL_LINE_PERCENTILE * (hs.length - 1))] * (fullWidth / previewWidth);
  const floor = Math.min(1, Math.sqrt(minPixels / (fullWidth * fullHeight)));
  return Math.min(1, Math.max(floor, TARGET_BOX_HEIGHT / small));
}
