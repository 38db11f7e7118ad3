/**
 * PP-OCRv4 text recognition, batched: crops are sorted by aspect ratio so each batch pads little,
 * every crop is sampled straight from the full-resolution page to the recogniser's 48 px height
 * (small text is upscaled, big text averaged down), normalised to [-1, 1] in BGR order, padded with
 * zeros to the batch's widest crop, and decoded with CTC alignment kept.
 */
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../../types.ts';
import { cropQuad } from '../../image/raster.ts';
import type { InferRunner } from '../infer.lane.ts';
import { ctcDecode, type DecodedChar } from './ctc.decode.ts';
import { rowRoom, snapCrop } from './crop.snap.ts';
export { rowRoom };

import { REC_HEIGHT, REC_STRIDE } from './rec.constants.ts';
export { REC_HEIGHT, REC_STRIDE };

export interface RecOptions {
  batchSize: number;
  /** Crops are at least this wide (PaddleOCR pads to 320; narrower is faster and reads the same). */
  minWidth: number;
  /** Crops wider than this are squeezed (very long lines; the model still reads them). */
  maxWidth: number;
  /**
   * Horizontal scale of crops relative to their true aspect ratio. Recognition cost grows with
   * crop width; wide receipt fonts read as well a little narrower.
   */
  squeeze: number;
  /** Margin added above and below each line box before cropping, as a share of the line height. */
  pad: number;
  /**
   * Frames (8 columns each) of zero padding after every crop. PaddleOCR pads its crops to 320
   * columns with zeros, so the model learnt that text ends before the tensor does; a crop that
   * fills its tensor to the last column loses its last character (a line-final comma, a colon)
   * more often than one followed by a little padding.
   */
  tailFrames: number;
  /** Crops reach out to the line's ink by at most this many line heights on each side (crop.snap.ts; 0: off). */
  snap: number;
}

/**
 * Batch size 1 by default, measured (sroie-dev, 2 cores): CPU per page 1.96 s at 1, 1.94 s at 2,
 * 2.10 s at 4, 2.26 s at 8. On CPU the convolutions gain nothing from batching while padding to the
 * batch's widest crop costs columns; and with padding the recogniser's global attention sees the
 * pad, so a line's text would depend on which lines share its batch. Larger batches remain an
 * option (crops are sorted by width so a batch pads little).
 */
export const DEFAULT_REC_OPTIONS: RecOptions = { batchSize: 1, minWidth: 64, maxWidth: 3200, squeeze: 1, pad: 0.1, tailFrames: 4, snap: 0.6 };

export interface RecCrop {
  data: Buffer;
  width: number;
  height: number;
  /** The page quad the crop's columns span (the line box with its horizontal margins). */
  quad?: Point[];
}

export interface RecOutput {
  chars: DecodedChar[];
  /** Frames of the model output and the tensor width that produced them. */
  frames: number;
  tensorWidth: number;
  confidence: number;
  crop: RecCrop;
}

export function quadSize(q: readonly Point[]): { w: number; h: number } {
  const w = (Math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]) + Math.hypot(q[2][0] - q[3][0], q[2][1] - q[3][1])) / 2;
  const h = (Math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]) + Math.hypot(q[2][0] - q[1][0], q[2][1] - q[1][1])) / 2;
  return { w: Math.max(1, w), h: Math.max(1, h) };
}

/**
 * Corners of `q` (tl, tr, br, bl on the page) re-labelled so the crop reads in another direction:
 * shift 1 reads text running top-to-bottom (page turned 90° clockwise), 2 reads upside-down text,
 * 3 reads text running bottom-to-top. Rotating a crop is only a relabelling of its corners.
 */
export function shiftQuad(q: readonly Point[], shift: number): Point[] {
  return [0, 1, 2, 3].map((i) => q[(i + shift) % 4]);
}

/** Grow a quad by `pad` line heights above and below, along its own axes. */
export function padQuad(q: readonly Point[], pad: number): Point[] {
  const { h } = quadSize(q);
  const vx = (q[3][0] - q[0][0]) / h,
    vy = (q[3][1] - q[0][1]) / h;
  const d = pad * h;
  const sy = [-1, -1, 1, 1];
  return q.map(([x, y], i) => [x + sy[i] * d * vx, y + sy[i] * d * vy] as Point);
}

/** Move the left edge of a quad out by `left` and the right edge by `right` (page units), along its own axis. */
export function extendQuad(q: readonly Point[], left: number, right: number): Point[] {
  const { w } = quadSize(q);
  const ux = (q[1][0] - q[0][0]) / w,
    uy = (q[1][1] - q[0][1]) / w;
  const d = [-left, right, right, -left];
  return q.map(([x, y], i) => [x + d[i] * ux, y + d[i] * uy] as Point);
}

/**
 * Sample one line crop (quad in reading order) at the recogniser's height. With `snap`, the crop
 * reaches out to the line's ink (see crop.snap.ts), at most `room` line heights on each side.
 */
export function makeCrop(img: RasterImage, quad: readonly Point[], opts: RecOptions = DEFAULT_REC_OPTIONS, room?: { left: number; right: number }): RecCrop {
  const box = quadSize(quad);
  const reachL = Math.max(0, Math.min(opts.snap, room?.left ?? Infinity)) * box.h;
  const reachR = Math.max(0, Math.min(opts.snap, room?.right ?? Infinity)) * box.h;
  const span = extendQuad(quad, reachL, reachR);
  const probe = opts.pad > 0 ? padQuad(span, opts.pad) : span;
  const { w, h } = quadSize(probe);
  const outW = Math.max(8, Math.min(opts.maxWidth, Math.round((REC_HEIGHT * w * opts.squeeze) / h)));
  const data = cropQuad(img, probe, outW, REC_HEIGHT);
  if (reachL + reachR <= 0) return { data, width: outW, height: REC_HEIGHT, quad: span };
  const k = outW / w;
  const snapped = snapCrop({ data, width: outW, height: REC_HEIGHT }, Math.round(reachL * k), Math.round(reachR * k));
  const { x0, x1 } = snapped;
  return { data: snapped.data, width: x1 - x0, height: REC_HEIGHT, quad: subSpan(span, x0 / outW, x1 / outW) };
}

/** The part of a quad between fractions u0 and u1 of its length. */
function subSpan(q: readonly Point[], u0: number, u1: number): Point[] {
  const at = (a: Point, b: Point, t: number): Point => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  return [at(q[0], q[1], u0), at(q[0], q[1], u1), at(q[3], q[2], u1), at(q[3], q[2], u0)];
}

/** Normalised value of every byte: a table lookup instead of a division per pixel and channel. */
const REC_LUT = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/** Pack crops into one NCHW tensor of width `width`, BGR, (x/255 - 0.5)/0.5, zero padded. */
export function recTensor(crops: readonly RecCrop[], width: number): Float32Array {
  const plane = REC_HEIGHT * width;
  const t = new Float32Array(crops.length * 3 * plane);
  crops.forEach((c, n) => {
    const base = n * 3 * plane;
    for (let y = 0; y < REC_HEIGHT; y++) {
      for (let x = 0; x < c.width && x < width; x++) {
        const s = (y * c.width + x) * 3;
        const d = base + y * width + x;
        t[d] = REC_LUT[c.data[s + 2]];
        t[d + plane] = REC_LUT[c.data[s + 1]];
        t[d + 2 * plane] = REC_LUT[c.data[s]];
      }
    }
  });
  return t;
}

/**
 * Recognise crops in batches sorted by width; results come back in input order. With several
 * runners (lanes, see infer.lane.ts) each takes the next batch when it is free, widest first, so
 * the lanes finish together; a batch's result does not depend on the lane that ran it.
 */
export async function recognizeCrops(
  runners: InferRunner | readonly InferRunner[],
  crops: readonly RecCrop[],
  charset: readonly string[],
  opts: RecOptions = DEFAULT_REC_OPTIONS,
): Promise<RecOutput[]> {
  const lanes = Array.isArray(runners) ? (runners as readonly InferRunner[]) : [runners as InferRunner];
  const order = crops.map((_, i) => i).sort((a, b) => crops[b].width - crops[a].width);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += opts.batchSize) batches.push(order.slice(i, i + opts.batchSize));
  const results: RecOutput[] = new Array(crops.length);
  let next = 0;
  const lane = async (runner: InferRunner) => {
    while (next < batches.length) {
      const idx = batches[next++];
      const batch = idx.map((k) => crops[k]);
      const width = Math.max(opts.minWidth, Math.ceil(Math.max(...batch.map((c) => c.width)) / REC_STRIDE) * REC_STRIDE + opts.tailFrames * REC_STRIDE);
      const out = await runner.run(recTensor(batch, width), [batch.length, 3, REC_HEIGHT, width]);
      const [, frames, classes] = out.dims;
      idx.forEach((k, j) => {
        const chars = ctcDecode(out.data, j * frames * classes, frames, classes, charset);
        const confidence = chars.length ? chars.reduce((s, c) => s + c.prob, 0) / chars.length : 0;
        results[k] = { chars, frames, tensorWidth: width, confidence, crop: crops[k] };
      });
    }
  };
  await Promise.all(lanes.map(lane));
  return results;
}
