/**
 * PP-OCRv4 text recognition, batched: crops are sorted by aspect ratio so each batch pads little,
 * every crop is sampled straight from the full-resolution page to the recogniser's 48 px height
 * (small text is upscaled, big text averaged down), normalised to [-1, 1] in BGR order, padded with
 * zeros to the batch's widest crop, and decoded with CTC alignment kept.
 */
import type { Point } from '@ocrflow/core';
import type { RasterImage } from '../../types.ts';
import { cropQuad } from '../../image/raster.ts';
import type { InferSession } from '../infer.session.ts';
import { ctcDecode, type DecodedChar } from './ctc.decode.ts';

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
}

/**
 * Batch size 1 by default, measured (sroie-dev, 2 cores): CPU per page 1.96 s at 1, 1.94 s at 2,
 * 2.10 s at 4, 2.26 s at 8. On CPU the convolutions gain nothing from batching while padding to the
 * batch's widest crop costs columns; and with padding the recogniser's global attention sees the
 * pad, so a line's text would depend on which lines share its batch. Larger batches remain an
 * option (crops are sorted by width so a batch pads little).
 */
export const DEFAULT_REC_OPTIONS: RecOptions = { batchSize: 1, minWidth: 64, maxWidth: 3200, squeeze: 1, pad: 0.1 };

export interface RecCrop {
  data: Buffer;
  width: number;
  height: number;
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
  const { w, h } = quadSize(q);
  const ux = (q[1][0] - q[0][0]) / w, uy = (q[1][1] - q[0][1]) / w;
  const vx = (q[3][0] - q[0][0]) / h, vy = (q[3][1] - q[0][1]) / h;
  const d = pad * h;
  const sy = [-1, -1, 1, 1];
  return q.map(([x, y], i) => [x + sy[i] * d * vx, y + sy[i] * d * vy] as Point);
}

/** Sample one line crop (quad in reading order) at the recogniser's height. */
export function makeCrop(img: RasterImage, quad: readonly Point[], opts: RecOptions = DEFAULT_REC_OPTIONS): RecCrop {
  if (opts.pad > 0) quad = padQuad(quad, opts.pad);
  const { w, h } = quadSize(quad);
  const outW = Math.max(8, Math.min(opts.maxWidth, Math.round((REC_HEIGHT * w * opts.squeeze) / h)));
  return { data: cropQuad(img, quad, outW, REC_HEIGHT), width: outW, height: REC_HEIGHT };
}

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
        t[d] = c.data[s + 2] / 127.5 - 1;
        t[d + plane] = c.data[s + 1] / 127.5 - 1;
        t[d + 2 * plane] = c.data[s] / 127.5 - 1;
      }
    }
  });
  return t;
}

/** Recognise crops in batches sorted by width; results come back in input order. */
export async function recognizeCrops(session: InferSession, crops: readonly RecCrop[], charset: readonly string[], opts: RecOptions = DEFAULT_REC_OPTIONS): Promise<RecOutput[]> {
  const order = crops.map((_, i) => i).sort((a, b) => crops[a].width - crops[b].width);
  const results: RecOutput[] = new Array(crops.length);
  for (let i = 0; i < order.length; i += opts.batchSize) {
    const idx = order.slice(i, i + opts.batchSize);
    const batch = idx.map((k) => crops[k]);
    const width = Math.max(opts.minWidth, Math.ceil(Math.max(...batch.map((c) => c.width)) / REC_STRIDE) * REC_STRIDE);
    const out = await session.run(recTensor(batch, width), [batch.length, 3, REC_HEIGHT, width]);
    const [, frames, classes] = out.dims;
    idx.forEach((k, j) => {
      const chars = ctcDecode(out.data, j * frames * classes, frames, classes, charset);
      const confidence = chars.length ? chars.reduce((s, c) => s + c.prob, 0) / chars.length : 0;
      results[k] = { chars, frames, tensorWidth: width, confidence, crop: crops[k] };
    });
  }
  return results;
}
