/**
 * Resample a photo into an upright page through any smooth mapping from output pixels to source
 * pixels. The mapping is evaluated exactly on a coarse grid (every `GRID` output pixels) and
 * interpolated bilinearly in between: a homography with a gentle bend varies slowly, so the
 * interpolation error stays far below a pixel while the per-pixel cost drops to a few additions.
 * Source pixels are sampled bilinearly at full resolution.
 */
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';

const GRID = 16;

/** Output pixel centre (x + 0.5, y + 0.5) → source position (continuous pixel coordinates, centres at +0.5). */
export type PixelMap = (x: number, y: number) => Point;

export function warpImage(img: RasterImage, outW: number, outH: number, map: PixelMap): RasterImage {
  const gw = Math.ceil(outW / GRID) + 1,
    gh = Math.ceil(outH / GRID) + 1;
  const mx = new Float64Array(gw * gh),
    my = new Float64Array(gw * gh);
  for (let j = 0; j < gh; j++) {
    for (let i = 0; i < gw; i++) {
      const [sx, sy] = map(i * GRID, j * GRID);
      mx[j * gw + i] = sx;
      my[j * gw + i] = sy;
    }
  }
  const { width: w, height: h, data } = img;
  // Every output pixel is written below (white where the map leaves the photo): no fill first.
  const out = Buffer.allocUnsafe(outW * outH * 3);
  const wm = w - 1,
    hm = h - 1;
  // The grid column and the position inside it depend on x alone: computed once, not per row.
  const colI = new Int32Array(outW),
    colF = new Float64Array(outW);
  for (let x = 0; x < outW; x++) {
    const gx = (x + 0.5) / GRID;
    const i = Math.min(gw - 2, Math.floor(gx));
    colI[x] = i;
    colF[x] = gx - i;
  }
  let o = 0;
  for (let y = 0; y < outH; y++) {
    const gy = (y + 0.5) / GRID;
    const j = Math.min(gh - 2, Math.floor(gy)),
      fy = gy - j;
    const row = j * gw;
    for (let x = 0; x < outW; x++, o += 3) {
      const fx = colF[x];
      const k = row + colI[x];
      const a = mx[k] + (mx[k + 1] - mx[k]) * fx,
        b = mx[k + gw] + (mx[k + gw + 1] - mx[k + gw]) * fx;
      const c = my[k] + (my[k + 1] - my[k]) * fx,
        d = my[k + gw] + (my[k + gw + 1] - my[k + gw]) * fx;
      let sx = a + (b - a) * fy - 0.5;
      let sy = c + (d - c) * fy - 0.5;
      // Outside the photo stays white (a page corner beyond the frame is paper, not black).
      if (sx < -1 || sy < -1 || sx > w || sy > h) {
        out[o] = 255;
        out[o + 1] = 255;
        out[o + 2] = 255;
        continue;
      }
      if (sx < 0) sx = 0;
      else if (sx > wm) sx = wm;
      if (sy < 0) sy = 0;
      else if (sy > hm) sy = hm;
      const x0 = sx | 0,
        y0 = sy | 0;
      const x1 = x0 < wm ? x0 + 1 : wm,
        y1 = y0 < hm ? y0 + 1 : hm;
      const ux = sx - x0,
        uy = sy - y0;
      const i00 = (y0 * w + x0) * 3,
        i01 = (y0 * w + x1) * 3,
        i10 = (y1 * w + x0) * 3,
        i11 = (y1 * w + x1) * 3;
      // Channels unrolled: this loop runs once per page pixel.
      let p = data[i00],
        t = p + (data[i01] - p) * ux,
        q = data[i10],
        bt = q + (data[i11] - q) * ux;
      out[o] = t + (bt - t) * uy + 0.5;
      p = data[i00 + 1];
      t = p + (data[i01 + 1] - p) * ux;
      q = data[i10 + 1];
      bt = q + (data[i11 + 1] - q) * ux;
      out[o + 1] = t + (bt - t) * uy + 0.5;
      p = data[i00 + 2];
      t = p + (data[i01 + 2] - p) * ux;
      q = data[i10 + 2];
      bt = q + (data[i11 + 2] - q) * ux;
      out[o + 2] = t + (bt - t) * uy + 0.5;
    }
  }
  return { data: out, width: outW, height: outH, channels: 3 };
}
