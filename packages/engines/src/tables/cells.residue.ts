/**
 * Ink beside a cell's text that no line covers.
 *
 * The page's detector can miss a short mark printed apart from the text it belongs to: a section
 * number set a space before its heading ("2、 合同内容"), an item number or a unit after a gap. Its
 * cell then reads as the heading alone. The grid says where the cell is and the ink mask where the
 * print is: on each row of text inside a cell, ink between the cell's rule and the first line (or
 * between the last line and the rule) is cut out and read with the empty boxes (cells.reread.ts).
 */
import type { BBox, Line, Point } from '@ocrflow/core';
import { inkedPart } from './cells.reread.ts';

export interface ResidueOptions {
  /** Working pixels per page pixel. */
  scale: number;
  /** Typical text height (working pixels). */
  textHeight: number;
  /** Kept clear of the cell's rules when looking for ink (working pixels). */
  margin: number;
  /** Half the rules' thickness (working pixels): a box to read reaches the rule's inner edge. */
  halfRule: number;
}

/** Lines of a cell grouped into rows: vertical extents that overlap by at least half the smaller one. */
function rowsOf(lines: readonly Line[]): Line[][] {
  const sorted = [...lines].sort((a, b) => a.bbox[1] + a.bbox[3] - b.bbox[1] - b.bbox[3]);
  const rows: Line[][] = [];
  for (const l of sorted) {
    const row = rows.find((r) =>
      r.some((o) => {
        const ov = Math.min(o.bbox[3], l.bbox[3]) - Math.max(o.bbox[1], l.bbox[1]);
        return ov >= 0.5 * Math.min(o.bbox[3] - o.bbox[1], l.bbox[3] - l.bbox[1]);
      }),
    );
    if (row) row.push(l);
    else rows.push([l]);
  }
  return rows;
}

/**
 * Boxes (page pixels) of ink in a cell's interior that lies on a row of the cell's lines, before the
 * first or after the last of them, and that no line covers. `quad` is the cell in working pixels.
 */
export function uncoveredInk(mask: Uint8Array, w: number, h: number, quad: readonly Point[], lines: readonly Line[], o: ResidueOptions): BBox[] {
  if (!lines.length) return [];
  const { scale: s, textHeight: th } = o;
  const xs = quad.map((p) => p[0]),
    ys = quad.map((p) => p[1]);
  const left = Math.max(xs[0], xs[3]) + o.margin,
    right = Math.min(xs[1], xs[2]) - o.margin;
  const top = Math.max(ys[0], ys[1]) + o.margin,
    bottom = Math.min(ys[2], ys[3]) - o.margin;
  // Ink this close to a line is the line's own (a glyph its box cuts, a stroke's blur).
  const clear = 0.3 * th;
  const out: BBox[] = [];
  for (const row of rowsOf(lines)) {
    // The row's band, looked at inside the cell's rules, read as tall as its text.
    const ty0 = Math.min(...row.map((l) => l.bbox[1])) * s,
      ty1 = Math.max(...row.map((l) => l.bbox[3])) * s;
    const y0 = Math.max(top, ty0 - 0.15 * th),
      y1 = Math.min(bottom, ty1 + 0.15 * th);
    if (y1 - y0 < 0.5 * th) continue;
    const a = Math.min(...row.map((l) => l.bbox[0])) * s - clear;
    const b = Math.max(...row.map((l) => l.bbox[2])) * s + clear;
    for (const [x0, x1] of [
      [left, a],
      [b, right],
    ]) {
      if (x1 - x0 < 0.3 * th) continue;
      const rect: Point[] = [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
      ];
      const ink = inkedPart(mask, w, h, rect, 0, th);
      // A mark of text size: as tall as a small glyph, not a lone dot or the edge of a rule.
      if (!ink || ink[3] - ink[1] < 0.4 * th || ink[2] - ink[0] < 0.2 * th) continue;
      // Padded for reading, as tall as the row's text, never onto the cell's rules.
      const pad = 0.3 * th;
      const inL = left - o.margin + o.halfRule + 1,
        inR = right + o.margin - o.halfRule - 1;
      out.push([
        Math.max(inL, ink[0] - pad) / s,
        Math.max(top - o.margin + o.halfRule + 1, Math.min(ink[1], ty0)) / s,
        Math.min(inR, ink[2] + pad) / s,
        Math.min(bottom + o.margin - o.halfRule - 1, Math.max(ink[3], ty1)) / s,
      ]);
    }
  }
  return out;
}
