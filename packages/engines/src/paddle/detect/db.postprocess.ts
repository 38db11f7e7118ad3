/**
 * Post-processing of a DB (Differentiable Binarization) probability map into text boxes, after
 * PaddleOCR's `DBPostProcess`: threshold the map, take connected regions, fit a minimum-area
 * rectangle, score it by the mean probability inside, and "unclip" it (the network predicts a
 * shrunken text kernel; offsetting the polygon by area × ratio / perimeter restores the full line).
 * Connected components stand in for OpenCV's contours: the outer contour of a region and its pixel
 * set have the same convex hull, and that hull is all a minimum-area rectangle needs.
 */
import type { Point } from '@ocrflow/core';

export interface DbOptions {
  /** Pixels with probability above this are text. */
  thresh: number;
  /** Regions whose mean probability is below this are dropped. */
  boxThresh: number;
  /** Polygon offset = area × unclipRatio / perimeter. */
  unclipRatio: number;
  /** Shorter side (map pixels) below this is noise. */
  minSize: number;
  maxCandidates: number;
}

export const DEFAULT_DB_OPTIONS: DbOptions = { thresh: 0.3, boxThresh: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000 };

export interface DbBox {
  /** tl, tr, br, bl in map coordinates. */
  quad: Point[];
  score: number;
}

/** Andrew's monotone chain; returns the hull counter-clockwise (y down: visually clockwise). */
export function convexHull(points: Point[]): Point[] {
  const pts = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  upper.pop();
  lower.pop();
  return lower.concat(upper);
}

export interface RotatedRect {
  cx: number;
  cy: number;
  /** Along the angle direction. */
  w: number;
  h: number;
  /** Radians, direction of the `w` side. */
  angle: number;
}

/** Minimum-area enclosing rectangle of a convex hull (rotating calipers over hull edges). */
export function minAreaRect(hull: Point[]): RotatedRect {
  if (hull.length === 1) return { cx: hull[0][0], cy: hull[0][1], w: 0, h: 0, angle: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i],
      b = hull[(i + 1) % hull.length];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len,
      uy = (b[1] - a[1]) / len;
    let minU = Infinity,
      maxU = -Infinity,
      minV = Infinity,
      maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy;
      const v = -p[0] * uy + p[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2,
        cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, w: maxU - minU, h: maxV - minV, angle: Math.atan2(uy, ux) };
    }
  }
  return best ?? { cx: hull[0][0], cy: hull[0][1], w: 0, h: 0, angle: 0 };
}

/** Corners of a rotated rectangle ordered tl, tr, br, bl in image orientation (y down). */
export function rectToQuad(r: RotatedRect): Point[] {
  // The quad is given in screen orientation: its "width" is the side closer to horizontal, so a
  // line on a page turned sideways shows up as a box taller than wide (orientation detection
  // relies on that) instead of being silently read as a turned crop.
  let { w, h, angle } = r;
  if (Math.abs(Math.cos(angle)) < Math.SQRT1_2) {
    [w, h] = [h, w];
    angle += Math.PI / 2;
  }
  // Keep the width direction pointing right (cos >= 0).
  if (Math.cos(angle) < 0) angle += Math.PI;
  const ux = Math.cos(angle),
    uy = Math.sin(angle);
  const vx = -uy,
    vy = ux; // perpendicular, pointing down when the text runs right
  const hw = w / 2,
    hh = h / 2;
  const { cx, cy } = r;
  return [
    [cx - ux * hw - vx * hh, cy - uy * hw - vy * hh],
    [cx + ux * hw - vx * hh, cy + uy * hw - vy * hh],
    [cx + ux * hw + vx * hh, cy + uy * hw + vy * hh],
    [cx - ux * hw + vx * hh, cy - uy * hw + vy * hh],
  ];
}

/**
 * Offset a rectangle outward by distance d = area × ratio / perimeter (what pyclipper's round
 * offset followed by a min-area rectangle gives for a rectangle: both sides grow by 2d).
 */
export function unclipRect(r: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (r.w + r.h);
  if (perimeter <= 0) return r;
  const d = (r.w * r.h * ratio) / perimeter;
  return { ...r, w: r.w + 2 * d, h: r.h + 2 * d };
}

/**
 * Boxes from a probability map of size mw×mh. Returned quads are in map coordinates; the caller
 * scales them to the page.
 */
export function dbPostprocess(prob: Float32Array, mw: number, mh: number, opts: DbOptions = DEFAULT_DB_OPTIONS): DbBox[] {
  const n = mw * mh;
  const label = new Int32Array(n); // 0 = unvisited/background, >0 = component id
  const stack = new Int32Array(n);
  const boxes: DbBox[] = [];
  let comp = 0;
  for (let start = 0; start < n; start++) {
    if (label[start] !== 0 || prob[start] <= opts.thresh) continue;
    comp++;
    // Flood fill (8-connected), tracking the leftmost and rightmost pixel of each row: the hull of
    // those extremes equals the hull of the whole region.
    let sp = 0;
    stack[sp++] = start;
    label[start] = comp;
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    let count = 0;
    let sum = 0;
    while (sp > 0) {
      const p = stack[--sp];
      const x = p % mw,
        y = (p - x) / mw;
      count++;
      sum += prob[p];
      const mn = rowMin.get(y);
      if (mn === undefined || x < mn) rowMin.set(y, x);
      const mx = rowMax.get(y);
      if (mx === undefined || x > mx) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= mh) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= mw) continue;
          const q = ny * mw + nx;
          if (label[q] === 0 && prob[q] > opts.thresh) {
            label[q] = comp;
            stack[sp++] = q;
          }
        }
      }
    }
    if (count < opts.minSize * opts.minSize) continue;
    const pts: Point[] = [];
    for (const [y, x] of rowMin) {
      pts.push([x, y]);
      const xm = rowMax.get(y)!;
      if (xm !== x) pts.push([xm, y]);
    }
    const rect = minAreaRect(convexHull(pts));
    if (Math.min(rect.w, rect.h) < opts.minSize) continue;
    // Score: mean probability over the region's own pixels (PaddleOCR's "slow" polygon mode). The
    // mean over the fitted rectangle ("fast" mode) punishes lines that curve with the paper: their
    // rectangle is mostly background, and whole receipt headers were dropped that way.
    const score = sum / count;
    if (score < opts.boxThresh) continue;
    const grown = unclipRect(rect, opts.unclipRatio);
    if (Math.min(grown.w, grown.h) < opts.minSize + 2) continue;
    boxes.push({ quad: rectToQuad(grown), score });
    if (boxes.length >= opts.maxCandidates) break;
  }
  return boxes;
}
