/**
 * Find the sheet of paper in a photo: its four corners and its (possibly bowed) edges, on a
 * downscaled copy. Paper is the bright, nearly colourless surface; a desk (wood, cloth, a grey or
 * light table) is darker or more saturated. The image is split by Otsu's threshold on a "paper
 * score" (lightness minus chroma), the background is what that leaves connected to the frame's
 * border, the sheet is the largest remaining region (so printed text inside it does not cut holes),
 * and its corners are the largest quadrilateral inside the region's convex hull (bowed edges bulge
 * outwards, the corners stay extreme points). Every step is a plain pass over a small raster.
 */
import sharp from 'sharp';
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';
import { convexHull, interiorAngles, largestQuad, orderCorners, polygonArea } from './quad.geometry.ts';

export interface SheetOutline {
  /** Corners tl, tr, br, bl in the full-resolution image's pixels. */
  quad: [Point, Point, Point, Point];
  /** Boundary pixels of the sheet region, full-resolution coordinates (for the bending fit). */
  boundary: Point[];
  /** 0..1: how much the region looks like one clean sheet (see `outlineConfidence`). */
  confidence: number;
  /** Why the outline is not trusted, when it is not. */
  reject?: 'no_sheet' | 'cut_by_frame' | 'not_a_quad' | 'low_contrast' | 'fills_frame';
  /** Share of the frame's border that looks like paper (a scan or a close-up has ~1). */
  borderPaper: number;
  /** Share of the frame that is neither the sheet nor paper-like: the desk that shows (a scan or a close-up shows little). */
  background: number;
}

/** The outline is found on a copy whose long side is at most this (sub-pixel precision is not needed). */
const WORK_SIDE = 1024;

interface Work {
  score: Float32Array;
  w: number;
  h: number;
  scale: number;
}

async function workRaster(img: RasterImage): Promise<Work> {
  const scale = Math.min(1, WORK_SIDE / Math.max(img.width, img.height));
  const w = Math.max(1, Math.round(img.width * scale)),
    h = Math.max(1, Math.round(img.height * scale));
  const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(w, h, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const score = new Float32Array(w * h);
  for (let i = 0, j = 0; i < score.length; i++, j += 3) {
    const r = data[j],
      g = data[j + 1],
      b = data[j + 2];
    const mx = Math.max(r, g, b),
      mn = Math.min(r, g, b);
    // Lightness minus chroma: white/grey paper scores high under any light, wood and cloth low.
    score[i] = r * 0.299 + g * 0.587 + b * 0.114 - 1.5 * (mx - mn);
  }
  return { score, w, h, scale: img.width / w };
}

/** Gradient (per working pixel, on the paper score) below which the sheet may grow. */
const GROW_GRADIENT = 6;

/** Gaussian blur (sigma 1.5, libvips) of the score, clamped to 0..255 first: below 0 is surely not paper anyway. */
async function blurScore(score: Float32Array, w: number, h: number): Promise<Float32Array> {
  const u8 = Buffer.allocUnsafe(w * h);
  for (let i = 0; i < u8.length; i++) u8[i] = score[i] < 0 ? 0 : score[i] > 255 ? 255 : score[i];
  const { data } = await sharp(u8, { raw: { width: w, height: h, channels: 1 } })
    .blur(1.5)
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

function gradient(src: Float32Array, w: number, h: number): Float32Array {
  const g = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      g[i] = Math.hypot(src[i + 1] - src[i - 1], src[i + w] - src[i - w]) / 2;
    }
  }
  return g;
}

/** Pixels of `on` on the frame's border. */
function borderRun(on: Uint8Array, w: number, h: number): number {
  let n = 0;
  for (let x = 0; x < w; x++) n += on[x] + on[(h - 1) * w + x];
  for (let y = 1; y < h - 1; y++) n += on[y * w] + on[y * w + w - 1];
  return n;
}

/**
 * Grow the sheet from the largest clearly-paper, smooth region through pixels whose gradient is
 * below `limit`. Edges are thickened by one pixel first so a one-pixel gap in a faint rim does not
 * let the growth out onto the desk; the result is widened back by that pixel.
 */
function growSheet(score: Float32Array, grad: Float32Array, paper: Uint8Array, w: number, h: number, limit: number, seedAbove: number): Uint8Array {
  const n = w * h;
  const smooth = new Uint8Array(n);
  for (let i = 0; i < n; i++) smooth[i] = grad[i] < limit ? 1 : 0;
  const open = erode(smooth, w, h);
  const seedOn = new Uint8Array(n);
  for (let i = 0; i < n; i++) seedOn[i] = paper[i] & open[i] & (score[i] > seedAbove ? 1 : 0);
  const seeds = largestRegion(seedOn, w, h, true).mask;
  const seedIdx: number[] = [];
  for (let i = 0; i < n; i++) if (seeds[i]) seedIdx.push(i);
  const grown = new Uint8Array(n);
  flood(open, w, h, seedIdx, grown, 1);
  return dilate(grown, w, h);
}

/** 3×3 erosion / dilation of a 0/1 mask. */
function erode(m: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      out[i] = m[i - w - 1] & m[i - w] & m[i - w + 1] & m[i - 1] & m[i] & m[i + 1] & m[i + w - 1] & m[i + w] & m[i + w + 1];
    }
  }
  return out;
}

function dilate(m: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!m[i]) continue;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w) out[yy * w + xx] = 1;
        }
      }
    }
  }
  return out;
}

/**
 * The growth stops where the (blurred) gradient rises, a pixel or two before the true rim. Move the
 * rim to where the score crosses halfway between sheet and desk: grow into neighbours above the
 * midpoint, then peel rim pixels below it.
 */
function settleRim(mask: Uint8Array, score: Float32Array, w: number): Uint8Array {
  let sIn = 0,
    nIn = 0,
    sOut = 0,
    nOut = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      sIn += score[i];
      nIn++;
    } else {
      sOut += score[i];
      nOut++;
    }
  }
  if (!nIn || !nOut) return mask;
  const mid = (sIn / nIn + sOut / nOut) / 2;
  const m = mask.slice();
  const isRim = (i: number, x: number, on: number) =>
    (x > 0 && m[i - 1] === on) || (x < w - 1 && m[i + 1] === on) || (i >= w && m[i - w] === on) || (i + w < m.length && m[i + w] === on);
  for (let step = 0; step < 4; step++) {
    const add: number[] = [];
    for (let i = 0; i < m.length; i++) if (!m[i] && score[i] > mid && isRim(i, i % w, 1)) add.push(i);
    if (!add.length) break;
    for (const i of add) m[i] = 1;
  }
  const peel: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i] && score[i] < mid && isRim(i, i % w, 0)) peel.push(i);
  for (const i of peel) m[i] = 0;
  return m;
}

function otsu(values: Float32Array): number {
  const lo = -400,
    hi = 256,
    bins = hi - lo;
  const hist = new Float64Array(bins);
  for (const v of values) hist[Math.max(0, Math.min(bins - 1, Math.round(v - lo)))]++;
  const total = values.length;
  let sum = 0;
  for (let i = 0; i < bins; i++) sum += i * hist[i];
  let sumB = 0,
    wB = 0,
    best = 0,
    thr = 0;
  for (let i = 0; i < bins; i++) {
    wB += hist[i];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += i * hist[i];
    const mB = sumB / wB,
      mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      thr = i;
    }
  }
  return thr + lo + 0.5;
}

/** Label 4-connected regions of `on` pixels reachable from `seeds`; marks them in `out` with `mark`. */
function flood(on: Uint8Array, w: number, h: number, seeds: number[], out: Uint8Array, mark: number): number {
  const stack = seeds.filter((s) => on[s] && out[s] === 0);
  for (const s of stack) out[s] = mark;
  let n = 0;
  while (stack.length) {
    const i = stack.pop()!;
    n++;
    const x = i % w,
      y = (i - x) / w;
    if (x > 0 && on[i - 1] && !out[i - 1]) {
      out[i - 1] = mark;
      stack.push(i - 1);
    }
    if (x < w - 1 && on[i + 1] && !out[i + 1]) {
      out[i + 1] = mark;
      stack.push(i + 1);
    }
    if (y > 0 && on[i - w] && !out[i - w]) {
      out[i - w] = mark;
      stack.push(i - w);
    }
    if (y < h - 1 && on[i + w] && !out[i + w]) {
      out[i + w] = mark;
      stack.push(i + w);
    }
  }
  return n;
}

/**
 * Largest 4-connected region of `on`; returns its mask (1 inside). With `avoidBorder`, regions that
 * run along more than 5% of the frame's border lose to any region that does not (a desk lit as
 * brightly as the paper must not be taken for the sheet).
 */
function largestRegion(on: Uint8Array, w: number, h: number, avoidBorder = false): { mask: Uint8Array; area: number } {
  const label = new Int32Array(w * h);
  let bestLabel = 0,
    bestKey = -1,
    bestArea = 0,
    next = 0;
  const stack: number[] = [];
  const limit = 0.05 * 2 * (w + h);
  for (let s = 0; s < on.length; s++) {
    if (!on[s] || label[s]) continue;
    next++;
    label[s] = next;
    stack.push(s);
    let area = 0,
      edge = 0;
    while (stack.length) {
      const i = stack.pop()!;
      area++;
      const x = i % w;
      if (x === 0 || x === w - 1 || i < w || i >= on.length - w) edge++;
      if (x > 0 && on[i - 1] && !label[i - 1]) {
        label[i - 1] = next;
        stack.push(i - 1);
      }
      if (x < w - 1 && on[i + 1] && !label[i + 1]) {
        label[i + 1] = next;
        stack.push(i + 1);
      }
      if (i >= w && on[i - w] && !label[i - w]) {
        label[i - w] = next;
        stack.push(i - w);
      }
      if (i + w < on.length && on[i + w] && !label[i + w]) {
        label[i + w] = next;
        stack.push(i + w);
      }
    }
    const key = avoidBorder && edge > limit ? area / (w * h + 1) : area + 1;
    if (key > bestKey) {
      bestKey = key;
      bestLabel = next;
      bestArea = area;
    }
  }
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = label[i] === bestLabel && bestLabel > 0 ? 1 : 0;
  return { mask, area: bestArea };
}

export async function findSheetOutline(img: RasterImage): Promise<SheetOutline> {
  const { score, w, h, scale } = await workRaster(img);
  const thr = otsu(score);
  const paper = new Uint8Array(w * h),
    notPaper = new Uint8Array(w * h);
  for (let i = 0; i < paper.length; i++) {
    paper[i] = score[i] > thr ? 1 : 0;
    notPaper[i] = 1 - paper[i];
  }
  const border: number[] = [];
  for (let x = 0; x < w; x++) border.push(x, (h - 1) * w + x);
  for (let y = 0; y < h; y++) border.push(y * w, y * w + w - 1);
  const borderPaper = border.reduce((s, i) => s + paper[i], 0) / border.length;
  // A shadow across the sheet defeats one global threshold, but a shadow is a soft edge and the
  // sheet's rim a sharp one: grow the sheet from its clearly-paper part through smooth pixels only.
  const grad = gradient(await blurScore(score, w, h), w, h);
  // A weak rim (grey paper on a grey desk) can leave a gap the growth leaks through: then try
  // again with a lower gradient limit and seeds that must be clearly brighter than the threshold.
  let grown = growSheet(score, grad, paper, w, h, GROW_GRADIENT, thr);
  for (const [g, margin] of [
    [4, 10],
    [3, 25],
  ] as const) {
    if (borderRun(grown, w, h) <= 0.05 * 2 * (w + h)) break;
    grown = growSheet(score, grad, paper, w, h, g, thr + margin);
  }
  // Background: what is not the grown sheet and is connected to the frame; the rest (the sheet and
  // the print inside it) is the candidate sheet.
  const notSheet = new Uint8Array(w * h);
  for (let i = 0; i < notSheet.length; i++) notSheet[i] = grown[i] ? 0 : 1;
  const bg = new Uint8Array(w * h);
  flood(notSheet, w, h, border, bg, 1);
  const cand = new Uint8Array(w * h);
  for (let i = 0; i < cand.length; i++) cand[i] = bg[i] ? 0 : 1;
  const region = largestRegion(cand, w, h);
  if (region.area < 0.05 * w * h) {
    const none: Point = [0, 0];
    return { quad: [none, none, none, none], boundary: [], confidence: 0, reject: 'no_sheet', borderPaper, background: borderPaper > 0.5 ? 0 : 1 };
  }
  const mask = settleRim(region.mask, score, w);
  let area = 0;
  for (let i = 0; i < mask.length; i++) area += mask[i];
  const boundaryWork: Point[] = [];
  const rowEnds: Point[] = [];
  let touches = 0;
  for (let y = 0; y < h; y++) {
    let first = -1,
      last = -1;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      if (first < 0) first = x;
      last = x;
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1;
      if (edge) {
        touches++;
        continue;
      }
      if (!mask[i - 1] || !mask[i + 1] || !mask[i - w] || !mask[i + w]) boundaryWork.push([x + 0.5, y + 0.5]);
    }
    if (first >= 0) {
      rowEnds.push([first + 0.5, y + 0.5], [last + 0.5, y + 0.5]);
    }
  }
  const hull = convexHull(rowEnds);
  if (hull.length < 4) {
    const none: Point = [0, 0];
    return { quad: [none, none, none, none], boundary: [], confidence: 0, reject: 'not_a_quad', borderPaper, background: 0 };
  }
  const quadWork = orderCorners(largestQuad(hull));
  const quadArea = polygonArea(quadWork);
  const perimeter = 2 * (w + h);
  let meanIn = 0,
    nIn = 0,
    meanOut = 0,
    nOut = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      if (paper[i]) {
        meanIn += score[i];
        nIn++;
      }
    } else {
      meanOut += score[i];
      nOut++;
    }
  }
  meanIn = nIn ? meanIn / nIn : 0;
  meanOut = nOut ? meanOut / nOut : 0;
  const fill = area / Math.max(1, quadArea);
  const angles = interiorAngles(quadWork);
  const quad = quadWork.map(([x, y]) => [x * scale, y * scale] as Point) as [Point, Point, Point, Point];
  const boundary = boundaryWork.map(([x, y]) => [x * scale, y * scale] as Point);
  // Desk = neither the sheet nor paper-like: another piece of a creased receipt is not a desk.
  let desk = 0;
  for (let i = 0; i < mask.length; i++) if (!mask[i] && !paper[i]) desk++;
  const out: SheetOutline = { quad, boundary, confidence: 0, borderPaper, background: desk / (w * h) };
  // A sheet covering nine tenths of the frame is a scan or a close-up: a warp would gain a degree of
  // tilt at the risk of cutting print, so such pages are read as they are.
  if (quadArea > 0.9 * w * h || borderPaper > 0.9) return { ...out, reject: 'fills_frame' };
  if (touches > 0.02 * perimeter) return { ...out, reject: 'cut_by_frame' };
  if (angles.some((a) => a < 50 || a > 130) || fill < 0.85 || fill > 1.15) return { ...out, reject: 'not_a_quad' };
  if (meanIn - meanOut < 25) return { ...out, reject: 'low_contrast' };
  // Confidence: how exactly the region fills its quad, and how well it stands out from the desk.
  out.confidence = Math.max(0, Math.min(1, (1 - Math.abs(1 - fill) * 4) * Math.min(1, (meanIn - meanOut) / 60)));
  return out;
}
