/**
 * Quadrilaterals from point sets: the convex hull of a region's outline, the largest four-corner
 * polygon inside it, and its corners in reading order. Shared by the sheet's outline and a ruled
 * table's outer frame (`page.outline.ts`, `table.frame.ts`).
 */
import type { Point } from '@ocrflow/core';

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull (monotone chain), counter-clockwise in image coordinates (y down: clockwise on screen). */
export function convexHull(points: Point[]): Point[] {
  const p = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const lower: Point[] = [],
    upper: Point[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

export function polygonArea(q: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i],
      b = q[(i + 1) % q.length];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}

/** The largest quadrilateral with its corners on the hull (coordinate ascent from the diagonal extremes). */
export function largestQuad(hull: Point[]): Point[] {
  const n = hull.length;
  if (n <= 4) return hull.slice();
  const ext = (f: (p: Point) => number) => {
    let b = 0;
    for (let i = 1; i < n; i++) if (f(hull[i]) > f(hull[b])) b = i;
    return b;
  };
  let idx = [ext((p) => -p[0] - p[1]), ext((p) => p[0] - p[1]), ext((p) => p[0] + p[1]), ext((p) => -p[0] + p[1])];
  const area = (ix: number[]) => polygonArea(ix.map((i) => hull[i]));
  let best = area(idx);
  for (let iter = 0; iter < 10; iter++) {
    let improved = false;
    for (let k = 0; k < 4; k++) {
      for (let c = 0; c < n; c++) {
        if (idx.includes(c)) continue;
        const trial = idx.slice();
        trial[k] = c;
        const sorted = trial.slice().sort((a, b) => a - b);
        const a = area(sorted);
        if (a > best + 1e-9) {
          best = a;
          idx = sorted;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }
  return idx.map((i) => hull[i]);
}

/** Order four corners as tl, tr, br, bl (by the sums and differences of their coordinates). */
export function orderCorners(q: readonly Point[]): [Point, Point, Point, Point] {
  const c: Point = [q.reduce((s, p) => s + p[0], 0) / 4, q.reduce((s, p) => s + p[1], 0) / 4];
  const byAngle = q.slice().sort((a, b) => Math.atan2(a[1] - c[1], a[0] - c[0]) - Math.atan2(b[1] - c[1], b[0] - c[0]));
  // byAngle runs clockwise on screen starting near the left; start at the one closest to top-left.
  let s = 0;
  for (let i = 1; i < 4; i++) if (byAngle[i][0] + byAngle[i][1] < byAngle[s][0] + byAngle[s][1]) s = i;
  return [byAngle[s], byAngle[(s + 1) % 4], byAngle[(s + 2) % 4], byAngle[(s + 3) % 4]];
}

export function interiorAngles(q: readonly Point[]): number[] {
  return q.map((p, i) => {
    const a = q[(i + 3) % 4],
      b = q[(i + 1) % 4];
    const v1 = [a[0] - p[0], a[1] - p[1]],
      v2 = [b[0] - p[0], b[1] - p[1]];
    const cos = (v1[0] * v2[0] + v1[1] * v2[1]) / (Math.hypot(v1[0], v1[1]) * Math.hypot(v2[0], v2[1]) || 1);
    return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
  });
}
