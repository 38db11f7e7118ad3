/**
 * Honest simulated phone photos of a real scan: the scan is laid onto a textured desk through a
 * KNOWN mapping (a homography of its corners plus a cylindrical bend), lit unevenly with a colour
 * cast, given sensor noise and a JPEG round trip. The mapping is kept, so a test can check where
 * each point of a straightened page came from on the original scan.
 */
import sharp from 'sharp';
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../../src/types.ts';
import { applyHomography, invertHomography, solveHomography } from '../../src/image/homography.ts';

export interface PhotoSpec {
  width: number;
  height: number;
  /** Where the scan's corners (tl, tr, br, bl) land in the photo. */
  corners: [Point, Point, Point, Point];
  /** Bend: the scan's rows bow by this share of the page height (0 = flat). */
  bend: number;
  /** Light falls from 1 at the left to 1 - `falloff` at the right, plus a soft shadow band. */
  falloff: number;
  /** 'wood' (warm stripes) or 'cloth' (dark, fine noise). */
  desk: 'wood' | 'cloth';
}

export interface SimulatedPhoto {
  image: RasterImage;
  /** Photo pixel position → scan pixel position (the mapping the photo was rendered with). */
  photoToScan: (p: Point) => Point;
}

/** Deterministic pseudo-random numbers (tests must be repeatable). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
}

export async function loadRaster(file: string | Buffer): Promise<RasterImage> {
  const { data, info } = await sharp(file).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

export async function simulatePhoto(scan: RasterImage, spec: PhotoSpec, seed = 7): Promise<SimulatedPhoto> {
  const { width: W, height: H } = spec;
  const unitToPhoto = solveHomography(
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ],
    spec.corners,
  );
  const photoToUnit = unitToPhoto && invertHomography(unitToPhoto);
  if (!photoToUnit) throw new Error('bad corners');
  const photoToScan = (p: Point): Point => {
    const [u, v] = applyHomography(photoToUnit, p);
    return [u * scan.width, (v + spec.bend * Math.sin(Math.PI * u)) * scan.height];
  };
  const rand = rng(seed);
  const out = Buffer.alloc(W * H * 3);
  const sw = scan.width,
    sh = scan.height,
    sd = scan.data;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const [sx, sy] = photoToScan([x + 0.5, y + 0.5]);
      let r: number, g: number, b: number;
      if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
        const x0 = Math.floor(sx),
          y0 = Math.floor(sy),
          fx = sx - x0,
          fy = sy - y0;
        const px = (c: number) => {
          const i = (y0 * sw + x0) * 3 + c;
          const t = sd[i] + (sd[i + 3] - sd[i]) * fx,
            bt = sd[i + sw * 3] + (sd[i + sw * 3 + 3] - sd[i + sw * 3]) * fx;
          return t + (bt - t) * fy;
        };
        r = px(0);
        g = px(1);
        b = px(2);
      } else if (spec.desk === 'wood') {
        const grain = Math.sin((x * 0.9 + y * 0.25) / 9 + Math.sin(y / 40) * 2) * 18 + Math.sin(x / 3.1) * 6;
        r = 150 + grain;
        g = 95 + grain * 0.7;
        b = 55 + grain * 0.4;
      } else {
        const n = (rand() - 0.5) * 20;
        r = 45 + n;
        g = 50 + n;
        b = 70 + n;
      }
      // Uneven light: a linear fall-off across the frame and a soft diagonal shadow band; warm cast.
      const band = Math.exp(-((x - W * 0.2 + (y - H * 0.7) * 0.6) ** 2) / (2 * (W * 0.12) ** 2));
      const light = (1 - spec.falloff * (x / W)) * (1 - 0.3 * band);
      const noise = (rand() - 0.5) * 8;
      out[o] = clamp(r * light * 1.0 + noise);
      out[o + 1] = clamp(g * light * 0.96 + noise);
      out[o + 2] = clamp(b * light * 0.88 + noise);
    }
  }
  const jpeg = await sharp(out, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 88 })
    .toBuffer();
  return { image: await loadRaster(jpeg), photoToScan };
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Grey-level normalised cross-correlation of two same-size RGB rasters (1 = identical up to gain). */
export function correlation(a: RasterImage, b: RasterImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('sizes differ');
  const n = a.width * a.height;
  let sa = 0,
    sb = 0;
  const ga = new Float32Array(n),
    gb = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    ga[i] = a.data[i * 3] * 0.299 + a.data[i * 3 + 1] * 0.587 + a.data[i * 3 + 2] * 0.114;
    gb[i] = b.data[i * 3] * 0.299 + b.data[i * 3 + 1] * 0.587 + b.data[i * 3 + 2] * 0.114;
    sa += ga[i];
    sb += gb[i];
  }
  const ma = sa / n,
    mb = sb / n;
  let num = 0,
    da = 0,
    db = 0;
  for (let i = 0; i < n; i++) {
    const x = ga[i] - ma,
      y = gb[i] - mb;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return num / Math.sqrt(da * db);
}
