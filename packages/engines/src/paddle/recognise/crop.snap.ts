/**
 * Line crops that reach the line's ink. DB boxes are the network's shrunk text kernel grown back by
 * the unclip offset; a small mark separated from its word — the colon of `TOTAL :`, a line-final
 * comma or period, the last digit after a narrow gap — has a weak kernel of its own, and the box
 * then ends on it or just before it. Cut in half, a colon reads as nothing and a comma as a period.
 * So each crop is sampled with a horizontal margin and trimmed back to where the ink that
 * continues the line ends: ink within a word gap of the box is kept, a wide blank ends the line,
 * specks too small to be a glyph are ignored, and the margin never reaches into the box of
 * another line on the same row (that text is read there). A table's rule beside the line (a dark
 * stroke through the whole height of the crop, pad rows included, which no glyph of the line
 * fills) ends the line's ink, and where the crop's margin reaches it, the margin from the rule
 * outwards is painted with the paper (read, a rule becomes a "[", "1" or "I" before the cell's
 * text, and the end of a rule meeting it a "一").
 */
import type { Point } from '@ocrflow/core';
import { otsu } from './ink.threshold.ts';

export interface SnapOptions {
  /** How far a crop may grow on each side, in line heights (0: crops are the boxes). */
  reach: number;
  /** A blank run this wide (line heights) ends the line. */
  gap: number;
  /** Blank kept after the outermost ink, in line heights. */
  margin: number;
  /** Ink pixels (at the recogniser's 48 px height) a run of columns needs to count as a glyph. */
  minInk: number;
}

export const DEFAULT_SNAP_OPTIONS: SnapOptions = { reach: 0.6, gap: 0.45, margin: 0.15, minInk: 14 };

/** A column band inked over at least this share of the crop's rows (pad rows included) is a rule. */
const RULE_ROWS = 0.9;
/** Columns on each side pooled when looking for a rule (a rule slanted by a degree or two, blurred). */
const RULE_HALF_WIDTH = 2;

export interface CropPixels {
  data: Buffer;
  width: number;
  height: number;
}

export interface ColumnInk {
  /** Ink pixels per column over the rows of the middle three quarters. */
  ink: Uint16Array;
  /** Columns outside [a, b) where a rule crosses the crop: ink in nearly every row of the column band around it. */
  rule: Uint8Array;
  /** Grey level of the paper. */
  paper: number;
}

/** Ink per column, with the ink polarity of the core columns [a, b), and where rules cross the crop. */
export function columnInk(c: CropPixels, a: number, b: number): ColumnInk {
  const { width: w, height: h, data } = c;
  const grey = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = (data[i * 3] * 299 + data[i * 3 + 1] * 587 + data[i * 3 + 2] * 114) / 1000;
  // The threshold comes from the box itself: the margins may be blank paper only.
  const hist = new Uint32Array(256);
  let n = 0;
  for (let y = 0; y < h; y++)
    for (let x = Math.max(0, a); x < Math.min(w, b); x++) {
      hist[grey[y * w + x]]++;
      n++;
    }
  const out = new Uint16Array(w);
  const rule = new Uint8Array(w);
  if (!n) return { ink: out, rule, paper: 255 };
  const thr = otsu(hist, n);
  let dark = 0;
  for (let i = 0; i <= thr; i++) dark += hist[i];
  const inkIsDark = dark <= n / 2;
  // Outside the box a mark may be fainter than the box's own ink (a thermal print fading at the
  // line's end, a comma thinned by scaling): there the threshold lies halfway between the box's
  // threshold and its paper.
  let paperSum = 0,
    paperN = 0;
  for (let v = 0; v < 256; v++)
    if (inkIsDark ? v > thr : v <= thr) {
      paperSum += v * hist[v];
      paperN += hist[v];
    }
  const paper = paperN ? paperSum / paperN : thr;
  const faint = (thr + paper) / 2;
  const y0 = Math.floor(h / 8),
    y1 = h - y0;
  const inked = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    const t = x >= a && x < b ? thr : faint;
    let k = 0;
    for (let y = 0; y < h; y++) {
      const g = grey[y * w + x];
      if (!(inkIsDark ? g <= t : g > t)) continue;
      inked[y * w + x] = 1;
      if (y >= y0 && y < y1) k++;
    }
    out[x] = k;
  }
  // A rule beside the box (inside it, a tall glyph in a tight box is no rule): in the band of
  // columns around x, ink in nearly every row, top and bottom pad included.
  const need = Math.ceil(RULE_ROWS * h);
  for (let x = 0; x < w; x++) {
    if (x >= a && x < b) continue;
    const lo = Math.max(0, x - RULE_HALF_WIDTH),
      hi = Math.min(w - 1, x + RULE_HALF_WIDTH);
    let rows = 0;
    for (let y = 0; y < h; y++) {
      for (let k = lo; k <= hi; k++)
        if (inked[y * w + k]) {
          rows++;
          break;
        }
    }
    rule[x] = rows >= need ? 1 : 0;
  }
  return { ink: out, rule, paper };
}

/**
 * Outermost column of ink that continues the line from column `from` in direction `dir` (+1 right,
 * -1 left), at most `limit` columns away; `from - dir` when there is none.
 */
export function inkReach(ink: Uint16Array, from: number, dir: 1 | -1, limit: number, gapCols: number, minInk: number, rule?: Uint8Array): number {
  let edge = from - dir;
  let blank = 0;
  let runMass = 0,
    runEnd = -1,
    runBlank = 0;
  const settle = () => {
    // A run too light to be a glyph (a speck of the paper) counts as blank.
    if (runMass >= minInk) {
      edge = runEnd;
      blank = 0;
    } else blank += runBlank;
    runMass = 0;
    runBlank = 0;
  };
  for (let k = 0; k < limit; k++) {
    const x = from + dir * k;
    if (x < 0 || x >= ink.length || rule?.[x]) break;
    // A column with one or two stray pixels is blank.
    if (ink[x] >= 2) {
      runMass += ink[x];
      runEnd = x;
      runBlank++;
      continue;
    }
    if (runMass) settle();
    if (++blank > gapCols) break;
  }
  if (runMass) settle();
  return edge;
}

/**
 * Columns [x0, x1) of a probe crop to keep. The probe spans the box plus `reachLeft`/`reachRight`
 * columns of margin; the box itself occupies [reachLeft, width - reachRight).
 */
export function snapColumns(c: CropPixels, reachLeft: number, reachRight: number, o: SnapOptions = DEFAULT_SNAP_OPTIONS): [number, number] {
  const { x0, x1 } = snapCrop(c, reachLeft, reachRight, o);
  return [x0, x1];
}

/** The kept columns [x0, x1) of a probe crop and their pixels, rules beside the box painted over. */
export function snapCrop(
  c: CropPixels,
  reachLeft: number,
  reachRight: number,
  o: SnapOptions = DEFAULT_SNAP_OPTIONS,
): { x0: number; x1: number; data: Buffer } {
  const a = reachLeft,
    b = c.width - reachRight;
  if (b - a < 2) return { x0: a, x1: b, data: sliceColumns(c, a, b) };
  const { ink, rule, paper } = columnInk(c, a, b);
  const gap = Math.max(2, Math.round(o.gap * c.height));
  const margin = Math.round(o.margin * c.height);
  // Scan from inside the box (a glyph cut by its edge is followed outwards), but never trim the box.
  const inset = Math.min(gap, Math.floor((b - a) / 2));
  const right = inkReach(ink, b - inset, 1, inset + reachRight, gap, o.minInk, rule);
  const left = inkReach(ink, a + inset - 1, -1, inset + reachLeft, gap, o.minInk, rule);
  const x1 = Math.max(b, Math.min(c.width, right + 1 + margin));
  const x0 = Math.min(a, Math.max(0, left - margin));
  // The margin keeps its width, but from a rule outwards it is blank paper (the rule, and the
  // ends of the rules that meet it, would be read as strokes).
  let wallL = -1,
    wallR = c.width;
  for (let x = a - 1; x >= x0; x--)
    if (rule[x]) {
      wallL = x;
      break;
    }
  for (let x = b; x < x1; x++)
    if (rule[x]) {
      wallR = x;
      break;
    }
  let data = sliceColumns(c, x0, x1);
  if (wallL >= x0 || wallR < x1) {
    data = Buffer.from(data);
    const w = x1 - x0,
      v = Math.round(paper);
    for (let y = 0; y < c.height; y++) {
      if (wallL >= x0) data.fill(v, y * w * 3, (y * w + wallL + 1 - x0) * 3);
      if (wallR < x1) data.fill(v, (y * w + wallR - x0) * 3, (y + 1) * w * 3);
    }
  }
  return { x0, x1, data };
}

/** Columns [x0, x1) of an RGB crop. */
export function sliceColumns(c: CropPixels, x0: number, x1: number): Buffer {
  if (x0 === 0 && x1 === c.width) return c.data;
  const w = x1 - x0;
  const out = Buffer.allocUnsafe(w * c.height * 3);
  for (let y = 0; y < c.height; y++) c.data.copy(out, y * w * 3, (y * c.width + x0) * 3, (y * c.width + x1) * 3);
  return out;
}

/**
 * Room on each side of every box before another box of the same row starts, in the box's line
 * heights (Infinity when nothing is there). Rows are judged in the box's own frame: another box
 * whose vertical extent overlaps this one's by at least a third of the line height.
 */
export function rowRoom(quads: readonly (readonly Point[])[]): { left: number; right: number }[] {
  const frames = quads.map((q) => {
    const w = Math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]) || 1;
    const h = (Math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]) + Math.hypot(q[2][0] - q[1][0], q[2][1] - q[1][1])) / 2 || 1;
    const ux = (q[1][0] - q[0][0]) / w,
      uy = (q[1][1] - q[0][1]) / w;
    return { o: q[0], ux, uy, w, h };
  });
  return frames.map((f, i) => {
    let left = Infinity,
      right = Infinity;
    for (let j = 0; j < quads.length; j++) {
      if (j === i) continue;
      let u0 = Infinity,
        u1 = -Infinity,
        v0 = Infinity,
        v1 = -Infinity;
      for (const [x, y] of quads[j]) {
        const dx = x - f.o[0],
          dy = y - f.o[1];
        const u = dx * f.ux + dy * f.uy,
          v = -dx * f.uy + dy * f.ux;
        if (u < u0) u0 = u;
        if (u > u1) u1 = u;
        if (v < v0) v0 = v;
        if (v > v1) v1 = v;
      }
      if (Math.min(v1, f.h) - Math.max(v0, 0) < f.h / 3) continue;
      // Boxes that touch or overlap this one still bound it: the side is where their centre lies.
      const mid = (u0 + u1) / 2;
      if (mid > f.w / 2 && u1 > f.w) right = Math.min(right, (u0 - f.w) / f.h);
      else if (mid < f.w / 2 && u0 < 0) left = Math.min(left, -u1 / f.h);
    }
    return { left: Math.max(0, left), right: Math.max(0, right) };
  });
}
