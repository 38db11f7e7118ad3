/**
 * Whole-page orientation (0/90/180/270) from what the detector and recogniser already see:
 * 1. the shape of detected line boxes tells horizontal from vertical text (lines are long and
 *    thin along the reading direction; on a page turned sideways most boxes stand upright);
 * 2. a page of horizontal lines that the direction classifier (PP-OCR's 0/180 model) finds
 *    upright is settled there, for the price of one small classifier batch — the common case;
 * 3. otherwise, within the remaining pair (0/180 or 90/270), a sample of the longest lines is read
 *    both ways and the classifier votes too: the reading with the higher combined score wins.
 * Pages with too little text keep their orientation. The engine then rotates the page and detects
 * again, so lines, boxes and crops all live in the upright page.
 */
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';
import type { Rotation } from '../image/raster.ts';
import type { InferSession } from './infer.session.ts';
import type { InferRunner } from './infer.lane.ts';
import type { DetBox } from './detect/det.model.ts';
import { makeCrop, quadSize, recognizeCrops, shiftQuad, type RecOptions } from './recognise/rec.model.ts';
import { classifyCrops } from './classify/cls.model.ts';

export interface OrientationResult {
  /** Clockwise rotation that makes the page upright. */
  rotation: Rotation;
  /** Share of text boxes that stand upright (taller than wide). */
  verticalShare: number;
  /** Score of each candidate that was read. */
  scores: Partial<Record<Rotation, number>>;
}

export interface OrientationOptions {
  /** Lines read per candidate rotation. */
  sample: number;
  /** Fewer boxes than this: leave the page as it is. */
  minBoxes: number;
}

export const DEFAULT_ORIENTATION_OPTIONS: OrientationOptions = { sample: 12, minBoxes: 3 };

/** Elongated boxes only: a single character or a blob says nothing about direction. */
function elongation(q: readonly Point[]): number {
  const { w, h } = quadSize(q);
  return Math.max(w, h) / Math.max(1, Math.min(w, h));
}

function longSide(q: readonly Point[]): number {
  const { w, h } = quadSize(q);
  return Math.max(w, h);
}

export function verticalShare(boxes: readonly DetBox[]): number {
  let v = 0,
    n = 0;
  for (const b of boxes) {
    if (elongation(b.quad) < 2) continue;
    const { w, h } = quadSize(b.quad);
    const weight = Math.max(w, h);
    n += weight;
    if (h > w) v += weight;
  }
  return n ? v / n : 0;
}

/**
 * Which corner shift reads a box upright when the page needs clockwise `rotation` to be upright:
 * a page turned 90° clockwise (needs 270) has its lines running top to bottom (shift 1).
 */
export function shiftFor(rotation: Rotation): number {
  return rotation === 0 ? 0 : rotation === 180 ? 2 : rotation === 270 ? 1 : 3;
}

/** Read a sample of lines in each candidate rotation and score how well they read. */
export async function detectOrientation(
  img: RasterImage,
  boxes: readonly DetBox[],
  rec: InferRunner,
  cls: InferSession | null,
  charset: readonly string[],
  recOpts: RecOptions,
  opts: OrientationOptions = DEFAULT_ORIENTATION_OPTIONS,
): Promise<OrientationResult> {
  const useful = boxes.filter((b) => elongation(b.quad) >= 2);
  if (useful.length < opts.minBoxes) return { rotation: 0, verticalShare: 0, scores: {} };
  const vshare = verticalShare(useful);
  const vertical = vshare > 0.5;
  const candidates: Rotation[] = vertical ? [270, 90] : [0, 180];
  const sample = useful
    .filter((b) => {
      const { w, h } = quadSize(b.quad);
      return vertical ? h > w : w >= h;
    })
    .sort((a, b) => longSide(b.quad) - longSide(a.quad))
    .slice(0, opts.sample);
  if (sample.length < Math.min(opts.minBoxes, useful.length)) return { rotation: 0, verticalShare: vshare, scores: {} };
  const scores: Partial<Record<Rotation, number>> = {};
  // Upright-looking pages (the common case) are settled by the direction classifier alone; the
  // recogniser is only asked when the page is sideways or the classifier leans towards 180°.
  if (!vertical && cls) {
    const crops = sample.map((b) => makeCrop(img, b.quad, recOpts));
    const p180 = await classifyCrops(cls, crops);
    const flipped = p180.reduce((s, p) => s + p, 0) / p180.length;
    if (flipped < 0.35) return { rotation: 0, verticalShare: vshare, scores: { 0: 1 - flipped, 180: flipped } };
  }
  for (const rot of candidates) {
    const crops = sample.map((b) => makeCrop(img, shiftQuad(b.quad, shiftFor(rot)), recOpts));
    const read = await recognizeCrops(rec, crops, charset, recOpts);
    // Lines read the right way round give long confident strings; wrong way gives short, unsure ones.
    let score = 0;
    for (const r of read) score += r.confidence * Math.min(1, r.chars.length / 4);
    score /= read.length;
    if (cls) {
      const p180 = await classifyCrops(cls, crops);
      const upright = p180.reduce((s, p) => s + (1 - p), 0) / p180.length;
      score += 0.25 * upright;
    }
    scores[rot] = score;
  }
  const [a, b] = candidates;
  return { rotation: (scores[b] ?? 0) > (scores[a] ?? 0) ? b : a, verticalShare: vshare, scores };
}
