/**
 * Pixel helpers on `RasterImage` (interleaved RGB). Decoding and resizing go through sharp (libvips);
 * the per-line crops are sampled here in JS because a crop is small and sharp cannot do a
 * perspective warp. Nothing here decodes a file twice: callers keep the raster they were given.
 */
import sharp from 'sharp';
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';

export type Rotation = 0 | 90 | 180 | 270;

/** Resize with libvips (area-averaging when shrinking, so small text survives a downscale). */
export async function resizeRaster(img: RasterImage, width: number, height: number): Promise<RasterImage> {
  if (width === img.width && height === img.height) return img;
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: width < img.width ? 'lanczos3' : 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** Rotate clockwise by a multiple of 90 degrees (exact, no resampling). */
export function rotateRaster(img: RasterImage, rot: Rotation): RasterImage {
  if (rot === 0) return img;
  const { width: w, height: h, data: src } = img;
  const ow = rot === 180 ? w : h;
  const oh = rot === 180 ? h : w;
  const out = Buffer.allocUnsafe(ow * oh * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let nx: number, ny: number;
      if (rot === 90) {
        nx = h - 1 - y;
        ny = x;
      } else if (rot === 180) {
        nx = w - 1 - x;
        ny = h - 1 - y;
      } else {
        nx = y;
        ny = w - 1 - x;
      }
      const si = (y * w + x) * 3,
        di = (ny * ow + nx) * 3;
      out[di] = src[si];
      out[di + 1] = src[si + 1];
      out[di + 2] = src[si + 2];
    }
  }
  return { data: out, width: ow, height: oh, channels: 3 };
}

/** Homography mapping the unit rectangle corners (0,0),(1,0),(1,1),(0,1) to quad q (tl,tr,br,bl). */
function squareToQuad(q: readonly Point[]): number[] {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = q;
  const dx1 = x1 - x2,
    dx2 = x3 - x2,
    dx3 = x0 - x1 + x2 - x3;
  const dy1 = y1 - y2,
    dy2 = y3 - y2,
    dy3 = y0 - y1 + y2 - y3;
  if (Math.abs(dx3) < 1e-9 && Math.abs(dy3) < 1e-9) {
    return [x1 - x0, x3 - x0, x0, y1 - y0, y3 - y0, y0, 0, 0];
  }
  const den = dx1 * dy2 - dx2 * dy1;
  const g = (dx3 * dy2 - dx2 * dy3) / den;
  const hh = (dx1 * dy3 - dx3 * dy1) / den;
  return [x1 - x0 + g * x1, x3 - x0 + hh * x3, x0, y1 - y0 + g * y1, y3 - y0 + hh * y3, y0, g, hh];
}

/**
 * Sample the quadrilateral `quad` (tl, tr, br, bl) of `img` into an upright outW×outH RGB crop.
 * When the crop shrinks the source by more than 1.5× it averages ss×ss sub-samples per output
 * pixel, because plain bilinear sampling aliases thin strokes away. This is the hottest JS loop of a
 * page (every line crop): products with u and v are hoisted out of it and the channels unrolled.
 */
export function cropQuad(img: RasterImage, quad: readonly Point[], outW: number, outH: number): Buffer {
  const m = squareToQuad(quad);
  const srcH = Math.hypot(quad[3][0] - quad[0][0], quad[3][1] - quad[0][1]);
  const srcW = Math.hypot(quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]);
  const shrink = Math.max(srcH / outH, srcW / outW);
  const ss = shrink > 1.5 ? Math.min(4, Math.ceil(shrink)) : 1;
  const out = Buffer.allocUnsafe(outW * outH * 3);
  const { width: w, height: h, data } = img;
  const m0 = m[0],
    m1 = m[1],
    m2 = m[2],
    m3 = m[3],
    m4 = m[4],
    m5 = m[5],
    m6 = m[6],
    m7 = m[7];
  const wm = w - 1,
    hm = h - 1;
  const inv = 1 / (ss * ss);
  // Products with u and v precomputed: the sums below are evaluated in the same order as the
  // straightforward formula, so the crop is bit-identical to it.
  const n = outW * ss;
  const au = new Float64Array(n),
    bu = new Float64Array(n),
    cu = new Float64Array(n);
  for (let ox = 0; ox < outW; ox++)
    for (let sx = 0; sx < ss; sx++) {
      const u = (ox + (sx + 0.5) / ss) / outW;
      const k = ox * ss + sx;
      au[k] = m0 * u;
      bu[k] = m3 * u;
      cu[k] = m6 * u;
    }
  const av = new Float64Array(ss),
    bv = new Float64Array(ss),
    cv = new Float64Array(ss);
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    for (let sy = 0; sy < ss; sy++) {
      const v = (oy + (sy + 0.5) / ss) / outH;
      av[sy] = m1 * v;
      bv[sy] = m4 * v;
      cv[sy] = m7 * v;
    }
    for (let ox = 0; ox < outW; ox++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let sy = 0; sy < ss; sy++) {
        const avy = av[sy],
          bvy = bv[sy],
          cvy = cv[sy];
        for (let sx = 0; sx < ss; sx++) {
          const k = ox * ss + sx;
          const z = cu[k] + cvy + 1;
          let x = (au[k] + avy + m2) / z - 0.5;
          let y = (bu[k] + bvy + m5) / z - 0.5;
          if (x < 0) x = 0;
          else if (x > wm) x = wm;
          if (y < 0) y = 0;
          else if (y > hm) y = hm;
          const x0 = x | 0,
            y0 = y | 0;
          const x1 = x0 < wm ? x0 + 1 : wm,
            y1 = y0 < hm ? y0 + 1 : hm;
          const fx = x - x0,
            fy = y - y0;
          const i00 = (y0 * w + x0) * 3,
            i01 = (y0 * w + x1) * 3,
            i10 = (y1 * w + x0) * 3,
            i11 = (y1 * w + x1) * 3;
          let p = data[i00],
            t = p + (data[i01] - p) * fx,
            q = data[i10],
            bt = q + (data[i11] - q) * fx;
          r += t + (bt - t) * fy;
          p = data[i00 + 1];
          t = p + (data[i01 + 1] - p) * fx;
          q = data[i10 + 1];
          bt = q + (data[i11 + 1] - q) * fx;
          g += t + (bt - t) * fy;
          p = data[i00 + 2];
          t = p + (data[i01 + 2] - p) * fx;
          q = data[i10 + 2];
          bt = q + (data[i11 + 2] - q) * fx;
          b += t + (bt - t) * fy;
        }
      }
      out[o] = r * inv + 0.5;
      out[o + 1] = g * inv + 0.5;
      out[o + 2] = b * inv + 0.5;
      o += 3;
    }
  }
  return out;
}
