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

/**
 * Working greyscale copy; `scale` = working pixels per page pixel. Pages longer than `maxSide` are
 * shrunk; pages shorter than `minSide` (a photo sent at 400 px) are enlarged, at most 3×: their
 * rules are fractions of a pixel, and the detectors' smallest runs and gaps are whole pixels.
 */
export async function toWorkingGray(img: RasterImage, maxSide = 2000, minSide = 0): Promise<{ gray: GrayImage; scale: number }> {
  const long = Math.max(img.width, img.height);
  const scale = long > maxSide ? maxSide / long : long < minSide ? Math.min(3, minSide / long) : 1;
  let pipe = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).greyscale();
  if (scale !== 1)
    pipe = pipe.resize(Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)), { fit: 'fill', kernel: 'linear' });
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
  /** Pixels darker than this fraction of the paper's brightness are ink whatever their surroundings. */
  darkFraction?: number;
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
    let rs = 0,
      rq = 0;
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
  // Solid dark areas (a dark header band) have no local contrast inside, so Sauvola alone leaves
  // them hollow with a ragged inner edge; anything far darker than the paper is ink outright.
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i += 7) hist[data[i]]++;
  let seen = 0,
    paper = 255;
  const total = hist.reduce((a, b) => a + b, 0);
  for (let v = 255; v >= 0; v--) {
    seen += hist[v];
    if (seen >= 0.1 * total) {
      paper = v;
      break;
    }
  }
  const dark = opts.darkFraction === undefined ? 0.4 * paper : opts.darkFraction * paper;
  const mask = new Uint8Array(w * h);
  // No window mean exceeds 255, so a pixel within minContrast of white can never be ink: most of a
  // page is skipped before its window is read.
  const paperFloor = 255 - minContrast;
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r),
      y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      if (v < dark) {
        mask[y * w + x] = 1;
        continue;
      }
      if (v > paperFloor) continue;
      const x0 = Math.max(0, x - r),
        x1 = Math.min(w, x + r + 1);
      const n = (y1 - y0) * (x1 - x0);
      const a = y1 * W + x1,
        b = y0 * W + x1,
        c = y1 * W + x0,
        d = y0 * W + x0;
      const m = (sum[a] - sum[b] - sum[c] + sum[d]) / n;
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
      const ymax = Math.min(h, by + B),
        xmax = Math.min(w, bx + B);
      for (let y = by; y < ymax; y++) for (let x = bx; x < xmax; x++) out[x * h + y] = mask[y * w + x];
    }
  }
  return out;
}

/**
 * Hollow out filled areas: ink that is thick both across and along (a dark header band, a shaded
 * cell) keeps only its outline, which is where a reader sees the cell borders. Rules, thin in one
 * direction, and text strokes are untouched. Without this a filled header row is one thick blob
 * that is neither a rule nor background, and its row is lost from the grid.
 */
export function hollowFills(mask: Uint8Array, w: number, h: number, maxThickness: number): Uint8Array {
  const vlen = new Uint16Array(w * h);
  const hlen = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; ) {
      if (!mask[o + x]) {
        x++;
        continue;
      }
      const s = x;
      while (x < w && mask[o + x]) x++;
      const len = Math.min(65535, x - s);
      for (let k = s; k < x; k++) hlen[o + k] = len;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; ) {
      if (!mask[y * w + x]) {
        y++;
        continue;
      }
      const s = y;
      while (y < h && mask[y * w + x]) y++;
      const len = Math.min(65535, y - s);
      for (let k = s; k < y; k++) vlen[k * w + x] = len;
    }
  }
  const thick = (i: number) => vlen[i] > maxThickness && hlen[i] > maxThickness;
  const out = mask.slice();
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!mask[i] || !thick(i)) continue;
      // interior: every neighbour is thick ink too
      if (thick(i - 1) && thick(i + 1) && thick(i - w) && thick(i + w) && thick(i - w - 1) && thick(i - w + 1) && thick(i + w - 1) && thick(i + w + 1))
        out[i] = 0;
    }
  }
  return out;
}
