/**
 * From a recognised crop to model `Line`s: words from the CTC alignment, word boxes by mapping
 * frame positions back along the line's quadrilateral, and a line split where two words are
 * further apart than a column gap (the detector often joins "TOTAL" and "9.00" across a receipt).
 */
import type { Line, Point, Word } from '@ocrflow/core';
import { polygonToBBox, roundBBox } from '@ocrflow/core';
import { REC_STRIDE } from './rec.constants.ts';
import { fixCjkDash, fixConfusables } from './text.fixups.ts';
import { segmentWords, DEFAULT_SPACE_OPTIONS, type SpaceOptions, type DecodedChar, type WordSpan } from './ctc.decode.ts';

export interface LineBuildOptions {
  space: SpaceOptions;
  /** Words further apart than this many line heights start a new line. */
  splitGap: number;
  /** Lines below this mean confidence are dropped (PaddleOCR's drop_score). */
  minConfidence: number;
}

export const DEFAULT_LINE_OPTIONS: LineBuildOptions = { space: DEFAULT_SPACE_OPTIONS, splitGap: 2.0, minConfidence: 0.5 };

export interface ReadLine {
  /** Quad in reading order (tl, tr, br, bl), page coordinates. */
  quad: Point[];
  chars: DecodedChar[];
  /** Model frames and tensor width for this crop, and the crop's own width (before padding). */
  frames: number;
  tensorWidth: number;
  cropWidth: number;
  /** Blank runs (frames) between consecutive characters, if measured. */
  blanks?: number[];
  /** The page quad the crop's columns span when it differs from `quad` (horizontal crop margins). */
  cropQuad?: Point[];
}

function lerp(a: Point, b: Point, t: number): Point {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

/** The sub-quad of `q` between fractions u0 and u1 of its length. */
export function subQuad(q: readonly Point[], u0: number, u1: number): Point[] {
  return [lerp(q[0], q[1], u0), lerp(q[0], q[1], u1), lerp(q[3], q[2], u1), lerp(q[3], q[2], u0)];
}

function roundPoly(q: Point[]): Point[] {
  return q.map(([x, y]) => [Math.round(x), Math.round(y)] as Point);
}

export function buildLines(r: ReadLine, opts: LineBuildOptions = DEFAULT_LINE_OPTIONS): Line[] {
  const words = segmentWords(r.chars, opts.space, r.blanks).map((w) => ({ ...w, text: fixCjkDash(fixConfusables(w.text)) }));
  if (!words.length) return [];
  // Frame t covers tensor columns [8t, 8t+8); the crop fills the first cropWidth columns.
  const frameToU = (f: number) => Math.min(1, Math.max(0, (f * REC_STRIDE) / r.cropWidth));
  const lineH =
    (Math.hypot(r.quad[3][0] - r.quad[0][0], r.quad[3][1] - r.quad[0][1]) + Math.hypot(r.quad[2][0] - r.quad[1][0], r.quad[2][1] - r.quad[1][1])) / 2;
  // Frame positions map along the quad the crop spans (the box plus its horizontal margins).
  const span = r.cropQuad ?? r.quad;
  const lineW = Math.hypot(span[1][0] - span[0][0], span[1][1] - span[0][1]);
  // Word extents: halfway into the blank frames on each side, so boxes touch the glyphs.
  const extent = (w: WordSpan, i: number): [number, number] => {
    const prev = words[i - 1],
      next = words[i + 1];
    const a = prev ? (prev.end + 1 + w.start) / 2 : Math.max(0, w.start - 1);
    const b = next ? (w.end + 1 + next.start) / 2 : Math.min(r.cropWidth / REC_STRIDE, w.end + 2);
    return [frameToU(a), frameToU(b)];
  };
  const groups: { words: WordSpan[]; u: [number, number][] }[] = [];
  words.forEach((w, i) => {
    const u = extent(w, i);
    const g = groups[groups.length - 1];
    const prev = words[i - 1];
    const gapPx = prev ? frameToU(w.start) * lineW - frameToU(prev.end + 1) * lineW : 0;
    if (!g || gapPx > opts.splitGap * lineH) groups.push({ words: [w], u: [u] });
    else {
      g.words.push(w);
      g.u.push(u);
    }
  });
  const out: Line[] = [];
  for (const g of groups) {
    const u0 = g.u[0][0],
      u1 = g.u[g.u.length - 1][1];
    const poly = groups.length === 1 ? r.quad.map((p) => [...p] as Point) : subQuad(span, Math.max(0, u0 - 0.01), Math.min(1, u1 + 0.01));
    const ws: Word[] = g.words.map((w, i) => ({
      text: w.text,
      bbox: roundBBox(polygonToBBox(subQuad(span, g.u[i][0], g.u[i][1]))),
      confidence: round3(w.confidence),
    }));
    const nChars = g.words.reduce((s, w) => s + w.text.length, 0);
    const conf = g.words.reduce((s, w) => s + w.confidence * w.text.length, 0) / Math.max(1, nChars);
    if (conf < opts.minConfidence) continue;
    out.push({
      text: g.words.map((w) => w.text).join(' '),
      bbox: roundBBox(polygonToBBox(poly)),
      polygon: roundPoly(poly),
      confidence: round3(conf),
      words: ws,
    });
  }
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
