/**
 * Greyscale working copy of a page and its ink mask for ruling-line detection.
 *
 * Table detection runs on a copy whose longer side is at most `maxSide` pixels: rules survive the
 * area-averaging downscale of a 600-dpi scan (a 3 px line becomes a darker 1 px line), and the work
 * stays bounded on 5 000 × 7 000 pages. The mask uses Sauvola's local threshold
 * (T = m·(1 + k·(s/R − 1)) over a window), which follows the uneven light of a phone photo where one
 * global threshold would turn a shaded corner black or wash a bright one out.
 */
import sharp from 'sharp';
import type { RasterImage } from '../types.ts';

export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Working greyscale copy; `scale` = working pixels per page pixel (≤ 1). */
export async function toWorkingGray(img: RasterImage, maxSide = 2000): Promise<{ gray: GrayImage; scale: number }> {
  const long = Math.max(img.width, img.height);
  const scale = long > maxSide ? maxSide / long : 1;
  let pipe = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).greyscale();
  if (scale < 1) pipe = pipe.resize(Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)), { fit: 'fill', kernel: 'linear' });
  const { data, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
  // sharp keeps a single channel after greyscale(); guard anyway for an unexpected layout.
  if (info.channels !== 1) {
    const out = new Uint8Array(info.width * info.height);
    for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels];
    return { gray: { data: out, width: info.width, height: info.height }, scale: info.width / img.width };
  }
  return { gray: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, scale: info.width / img.width };
}

export interface SauvolaOptions {
  /** Window side in pixels (odd); default ~1/25 of the shorter side, at least 15. */
  window?: number;
  /** Sensitivity; lower marks more pixels as ink. */
  k?: number;
  /** Minimum darkness below the local mean, so paper grain in flat regions stays white. */
  minContrast?: number;
}

/** 1 = ink. Integral images of the sum and squared sum give each window's mean and deviation in O(1). */
export function sauvola(g: GrayImage, opts: SauvolaOptions = {}): Uint8Array {
  const { width: w, height: h, data } = g;
  const win = opts.window ?? Math.max(15, Math.round(Math.min(w, h) / 25) | 1);
  const r = win >> 1;
  const k = opts.k ?? 0.2;
  const minContrast = opts.minContrast ?? 12;
  const W = w + 1;
  const sum = new Float64Array(W * (h + 1));
  const sq = new Float64Array(W * (h + 1));
  for (let y = 0; y < h; y++) {
    let rs = 0, rq = 0;
    const row = y * w;
    const o = (y + 1) * W;
    for (let x = 0; x < w; x++) {
      const v = data[row + x];
      rs += v;
      rq += v * v;
      sum[o + x + 1] = sum[o - W + x + 1] + rs;
      sq[o + x + 1] = sq[o - W + x + 1] + rq;
    }
  }
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r), x1 = Math.min(w, x + r + 1);
      const n = (y1 - y0) * (x1 - x0);
      const a = y1 * W + x1, b = y0 * W + x1, c = y1 * W + x0, d = y0 * W + x0;
      const m = (sum[a] - sum[b] - sum[c] + sum[d]) / n;
      const v = data[y * w + x];
      if (m - v < minContrast) continue;
      const s = Math.sqrt(Math.max(0, (sq[a] - sq[b] - sq[c] + sq[d]) / n - m * m));
      if (v < m * (1 + k * (s / 128 - 1))) mask[y * w + x] = 1;
    }
  }
  return mask;
}

/** Transpose a w×h byte mask (so vertical lines can be found with the horizontal code). */
export function transposeMask(mask: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const B = 64; // blocked for cache locality
  for (let by = 0; by < h; by += B) {
    for (let bx = 0; bx < w; bx += B) {
      const ymax = Math.min(h, by + B), xmax = Math.min(w, bx + B);
      for (let y = by; y < ymax; y++) for (let x = bx; x < xmax; x++) out[x * h + y] = mask[y * w + x];
    }
  }
  return out;
}
