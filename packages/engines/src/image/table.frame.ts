/**
 * When the sheet's edge is not in the picture (a close-up, a sheet running off the frame), a ruled
 * table's outer frame is the next straight reference: the printed grid is one connected piece of
 * thin dark lines, its outline is a quadrilateral whose four sides lie on ink. Found on a
 * downscaled grey copy with a local-contrast ink mask, so uneven light does not break the rules.
 */
import sharp from 'sharp';
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';
import { convexHull, largestQuad, orderCorners, polygonArea } from './quad.geometry.ts';

const WORK_SIDE = 1024;
/** Ink: this much darker than the local background (grey levels). */
const INK_CONTRAST = 18;
/** Share of each side's samples that must find ink within `SIDE_TOLERANCE` working pixels. */
const SIDE_COVER = 0.85;
const SIDE_TOLERANCE = 2;
/** Smallest share of the picture a table frame must enclose to square the page on. */
const MIN_FRAME_AREA = 0.25;

export interface TableFrame {
  /** Corners tl, tr, br, bl in full-resolution pixels. */
  quad: [Point, Point, Point, Point];
}

export async function findTableFrame(img: RasterImage): Promise<TableFrame | null> {
  const scale = Math.min(1, WORK_SIDE / Math.max(img.width, img.height));
  const w = Math.max(1, Math.round(img.width * scale)),
    h = Math.max(1, Math.round(img.height * scale));
  const base = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .greyscale();
  const grey = (await base.clone().raw().toBuffer({ resolveWithObject: true })).data;
  const local = (await base.clone().blur(8).raw().toBuffer({ resolveWithObject: true })).data;
  const ink = new Uint8Array(w * h);
  for (let i = 0; i < ink.length; i++) ink[i] = local[i] - grey[i] > INK_CONTRAST ? 1 : 0;
  // 8-connected pieces of ink with a large bounding box are candidates for the ruled grid (wood
  // grain or a desk edge can be larger: each is tried, largest first).
  const label = new Int32Array(w * h);
  const stack: number[] = [];
  const candidates: { pix: number[]; area: number }[] = [];
  let next = 0;
  for (let s = 0; s < ink.length; s++) {
    if (!ink[s] || label[s]) continue;
    next++;
    label[s] = next;
    stack.push(s);
    const pix: number[] = [];
    let x0 = w,
      y0 = h,
      x1 = 0,
      y1 = 0;
    while (stack.length) {
      const i = stack.pop()!;
      pix.push(i);
      const x = i % w,
        y = (i - x) / w;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (ink[j] && !label[j]) {
            label[j] = next;
            stack.push(j);
          }
        }
      }
    }
    const area = (x1 - x0 + 1) * (y1 - y0 + 1);
    // A grid is sparse ink over a large box; a dark object or the desk is dense.
    if (area >= 0.08 * w * h && pix.length <= 0.35 * area) candidates.push({ pix, area });
  }
  candidates.sort((a, b) => b.area - a.area);
  for (const c of candidates.slice(0, 4)) {
    const quad = frameQuad(c.pix, ink, w, h);
    if (quad) {
      const s = img.width / w;
      return { quad: quad.map(([x, y]) => [x * s, y * s] as Point) as [Point, Point, Point, Point] };
    }
  }
  return null;
}

/** The quadrilateral outline of one piece of ink, when it is a ruled frame (ink along each side, margin outside). */
function frameQuad(best: number[], ink: Uint8Array, w: number, h: number): [Point, Point, Point, Point] | null {
  const rowEnds = new Map<number, [number, number]>();
  for (const i of best) {
    const x = i % w,
      y = (i - x) / w;
    const e = rowEnds.get(y);
    if (!e) rowEnds.set(y, [x, x]);
    else {
      if (x < e[0]) e[0] = x;
      if (x > e[1]) e[1] = x;
    }
  }
  const pts: Point[] = [];
  for (const [y, [a, b]] of rowEnds) pts.push([a + 0.5, y + 0.5], [b + 0.5, y + 0.5]);
  const hull = convexHull(pts);
  if (hull.length < 4) return null;
  const quad = orderCorners(largestQuad(hull));
  // A boxed note or a stamp is no reference for the whole page: the frame must be a large part of it.
  if (polygonArea(quad) < MIN_FRAME_AREA * w * h) return null;
  // Each side must be a printed rule: ink along (nearly) all of it.
  for (let k = 0; k < 4; k++) {
    const a = quad[k],
      b = quad[(k + 1) % 4];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len < 20) return null;
    const nx = -(b[1] - a[1]) / len,
      ny = (b[0] - a[0]) / len;
    // The corners run clockwise on screen, so (nx, ny) points into the quad. Outside a frame is
    // the page's margin: a "side" cutting through text (a corner of the grid missed) is refused.
    let hit = 0,
      clear = 0;
    const n = 100;
    const inkAt = (px: number, py: number) => {
      const x = Math.round(px - 0.5),
        y = Math.round(py - 0.5);
      return x >= 0 && y >= 0 && x < w && y < h && ink[y * w + x] === 1;
    };
    for (let s = 0; s < n; s++) {
      const t = (s + 0.5) / n;
      const px = a[0] + (b[0] - a[0]) * t,
        py = a[1] + (b[1] - a[1]) * t;
      for (let d = -SIDE_TOLERANCE; d <= SIDE_TOLERANCE; d++)
        if (inkAt(px + nx * d, py + ny * d)) {
          hit++;
          break;
        }
      let out = false;
      for (let d = SIDE_TOLERANCE + 2; d <= SIDE_TOLERANCE + 6; d++)
        if (inkAt(px - nx * d, py - ny * d)) {
          out = true;
          break;
        }
      if (!out) clear++;
    }
    if (hit < SIDE_COVER * n || clear < SIDE_COVER * n) return null;
  }
  return quad;
}
