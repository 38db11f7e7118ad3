/**
 * Gentle page bending from the sheet's own rim. After the homography has put the four corners on
 * an upright rectangle, a bent sheet's edges still bow: the top edge runs at v = t(u) instead of 0,
 * the bottom at 1 + b(u), the left at u = l(v), the right at 1 + r(v) (unit-square coordinates).
 * Each residual is fitted with a low-order polynomial, and the interior is lofted between opposite
 * edges, so a sheet bent like a cylinder (the common case: paper curling along one axis) comes out
 * with straight lines. Bends that do not show on the rim are not corrected.
 */
import type { Point } from '@ocrflow/core';
import { applyHomography, type Homography } from './homography.ts';

/** Polynomial coefficients over s = 2t - 1 (t in 0..1), lowest degree first. */
export type EdgeCurve = readonly number[];

export interface PageBend {
  top: EdgeCurve;
  bottom: EdgeCurve;
  left: EdgeCurve;
  right: EdgeCurve;
}

const DEGREE = 4;
/** A rim that strays further than this (share of the page) from its straight side is not a bend (a hand, a fold, another sheet). */
const MAX_RESIDUAL = 0.04;
/** Only the middle of each side is fitted: near the corners the sides meet and points are ambiguous. */
const SIDE_BAND = 0.06;

export function evalCurve(c: EdgeCurve, t: number): number {
  const s = 2 * t - 1;
  let v = 0;
  for (let k = c.length - 1; k >= 0; k--) v = v * s + c[k];
  return v;
}

/** Least-squares polynomial of `DEGREE` through (t, r) pairs; one pass drops points beyond 3 RMS. */
function fitCurve(ts: number[], rs: number[]): EdgeCurve | null {
  let idx = ts.map((_, i) => i);
  let coef: number[] | null = null;
  for (let pass = 0; pass < 2; pass++) {
    if (idx.length < 4 * (DEGREE + 1)) return null;
    const n = DEGREE + 1;
    const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
    for (const i of idx) {
      const s = 2 * ts[i] - 1;
      const pw = [1];
      for (let k = 1; k < n; k++) pw.push(pw[k - 1] * s);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) a[r][c] += pw[r] * pw[c];
        a[r][n] += pw[r] * rs[i];
      }
    }
    coef = solve(a);
    if (!coef) return null;
    const c = coef;
    const res = idx.map((i) => rs[i] - evalCurve(c, ts[i]));
    const rms = Math.sqrt(res.reduce((s, r) => s + r * r, 0) / res.length) || 1e-9;
    idx = idx.filter((_, k) => Math.abs(res[k]) <= 3 * rms);
  }
  return coef;
}

function solve(a: number[][]): number[] | null {
  const n = a.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-12) return null;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

const FLAT: EdgeCurve = [0];

/**
 * Fit the four rim residuals. `toUnit` maps photo pixels into the unit square of the corner
 * homography. A side without enough rim points, or whose rim strays too far, stays straight.
 */
export function fitPageBend(boundary: readonly Point[], toUnit: Homography): PageBend {
  const sides = { top: [[], []], bottom: [[], []], left: [[], []], right: [[], []] } as Record<keyof PageBend, [number[], number[]]>;
  for (const p of boundary) {
    const [u, v] = applyHomography(toUnit, p);
    const d = { top: Math.abs(v), bottom: Math.abs(v - 1), left: Math.abs(u), right: Math.abs(u - 1) };
    const side = (Object.keys(d) as (keyof PageBend)[]).reduce((a, b) => (d[a] <= d[b] ? a : b));
    if (d[side] > MAX_RESIDUAL * 1.5) continue;
    const along = side === 'top' || side === 'bottom' ? u : v;
    if (along < SIDE_BAND || along > 1 - SIDE_BAND) continue;
    const across = side === 'top' ? v : side === 'bottom' ? v - 1 : side === 'left' ? u : u - 1;
    sides[side][0].push(along);
    sides[side][1].push(across);
  }
  const fit = (k: keyof PageBend): EdgeCurve => {
    const c = fitCurve(sides[k][0], sides[k][1]);
    if (!c) return FLAT;
    for (let t = 0; t <= 1; t += 0.05) if (Math.abs(evalCurve(c, t)) > MAX_RESIDUAL) return FLAT;
    return c;
  };
  return { top: fit('top'), bottom: fit('bottom'), left: fit('left'), right: fit('right') };
}

/** Largest displacement of the bend anywhere on the rim (share of the page side). */
export function bendSize(b: PageBend): number {
  let m = 0;
  for (let t = 0; t <= 1; t += 0.05) for (const c of [b.top, b.bottom, b.left, b.right]) m = Math.max(m, Math.abs(evalCurve(c, t)));
  return m;
}

/** Where the upright page's point (u, v) lies in the corner homography's unit square. */
export function bendUnit(b: PageBend, u: number, v: number): Point {
  return [u + (1 - u) * evalCurve(b.left, v) + u * evalCurve(b.right, v), v + (1 - v) * evalCurve(b.top, u) + v * evalCurve(b.bottom, u)];
}
