/**
 * Plane homographies as row-major 3×3 arrays (9 numbers, h[8] normalised to 1): solve one from four
 * point pairs, apply it, invert it. Four points fix a homography exactly, so the solve is an 8×8
 * linear system (Gaussian elimination with partial pivoting) rather than a least-squares DLT.
 */
import type { Point } from '@ocrflow/core';

export type Homography = readonly number[];

/** The homography that maps each `from[i]` onto `to[i]` (four pairs); null when degenerate. */
export function solveHomography(from: readonly Point[], to: readonly Point[]): Homography | null {
  if (from.length !== 4 || to.length !== 4) throw new Error('a homography needs exactly four point pairs');
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Coordinates of a page are in the thousands: scale rows so pivots compare fairly.
  for (const row of a) {
    const m = Math.max(...row.slice(0, 8).map(Math.abs));
    if (m > 0) for (let j = 0; j < 9; j++) row[j] /= m;
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    if (Math.abs(a[p][c]) < 1e-12) return null;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      if (f === 0) continue;
      for (let j = c; j < 9; j++) a[r][j] -= f * a[c][j];
    }
  }
  const h = a.map((row, i) => row[8] / row[i]);
  h.push(1);
  return h.every(Number.isFinite) ? h : null;
}

export function applyHomography(h: Homography, p: Point): Point {
  const [x, y] = p;
  const z = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / z, (h[3] * x + h[4] * y + h[5]) / z];
}

/** The inverse mapping (adjugate, normalised); null when singular. */
export function invertHomography(h: Homography): Homography | null {
  const [a, b, c, d, e, f, g, k, l] = h;
  const A = e * l - f * k,
    B = -(d * l - f * g),
    C = d * k - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) return null;
  const inv = [A, -(b * l - c * k), b * f - c * e, B, a * l - c * g, -(a * f - c * d), C, -(a * k - b * g), a * e - b * d];
  const s = inv[8];
  if (Math.abs(s) < 1e-15) return inv.map((v) => v / det);
  return inv.map((v) => v / s);
}

/** Compose: the mapping `second(first(p))`. */
export function composeHomography(second: Homography, first: Homography): Homography {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += second[r * 3 + k] * first[k * 3 + c];
      out[r * 3 + c] = s;
    }
  return out.map((v) => v / out[8]);
}
