/**
 * Rule candidates that are really strokes of text.
 *
 * Long horizontal strokes of neighbouring CJK characters, joined through a vertical rule they touch,
 * look like a short rule; so do vertical strokes touching the rules above and below a tight cell.
 * The recogniser already knows where text is: a horizontal rule never runs through the middle band
 * of a text line, and a vertical rule is never a short piece that lies wholly inside one. Quads are
 * used rather than boxes because the axis-aligned box of a slightly rotated long line is much taller
 * than the line itself.
 */
import type { Point } from '@ocrflow/core';
import { crossAt, type RuleSegment } from './ruling.detect.ts';

export interface TextQuad {
  /** tl, tr, br, bl (working pixels). */
  q: readonly Point[];
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export function textQuad(q: readonly Point[]): TextQuad {
  const xs = q.map((p) => p[0]),
    ys = q.map((p) => p[1]);
  return { q, x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
}

/** Top and bottom of the quad at x (linear along its top and bottom edges). */
function edgesAt(t: TextQuad, x: number): [number, number] {
  const [tl, tr, br, bl] = t.q;
  const ut = tr[0] !== tl[0] ? (x - tl[0]) / (tr[0] - tl[0]) : 0.5;
  const ub = br[0] !== bl[0] ? (x - bl[0]) / (br[0] - bl[0]) : 0.5;
  return [tl[1] + (tr[1] - tl[1]) * ut, bl[1] + (br[1] - bl[1]) * ub];
}

/** Share of a horizontal segment's length that runs through the middle band of some text line. */
function hInText(s: RuleSegment, texts: readonly TextQuad[]): number {
  let inside = 0;
  const len = s.a1 - s.a0;
  for (const t of texts) {
    const lo = Math.max(s.a0, t.x0),
      hi = Math.min(s.a1, t.x1);
    if (hi <= lo) continue;
    const ys = crossAt(s, (lo + hi) / 2);
    if (ys < t.y0 - 2 || ys > t.y1 + 2) continue;
    let hit = 0,
      n = 0;
    for (let x = lo; x <= hi; x += Math.max(1, (hi - lo) / 8)) {
      const [top, bot] = edgesAt(t, x);
      const y = crossAt(s, x),
        h = bot - top;
      n++;
      if (y > top + 0.25 * h && y < bot - 0.25 * h) hit++;
    }
    if (n && hit / n > 0.5) inside += hi - lo;
  }
  return inside / Math.max(1, len);
}

/** True when a vertical segment lies wholly inside one text line (a stroke, not a rule). */
function vInText(s: RuleSegment, texts: readonly TextQuad[], textHeight: number): boolean {
  if (s.a1 - s.a0 > 2.5 * textHeight) return false;
  const x = crossAt(s, (s.a0 + s.a1) / 2);
  for (const t of texts) {
    if (x <= t.x0 + 0.25 * textHeight || x >= t.x1 - 0.25 * textHeight) continue;
    const [top, bot] = edgesAt(t, x);
    const m = 0.35 * (bot - top);
    if (s.a0 >= top - m && s.a1 <= bot + m) return true;
  }
  return false;
}

export function dropTextStrokes(h: RuleSegment[], v: RuleSegment[], texts: readonly TextQuad[], textHeight: number): { h: RuleSegment[]; v: RuleSegment[] } {
  if (!texts.length) return { h, v };
  return {
    h: h.filter((s) => hInText(s, texts) < 0.5),
    v: v.filter((s) => !vInText(s, texts, textHeight)),
  };
}
