/**
 * Recognised text into table cells by geometry.
 *
 * A detector often reads several neighbouring cells as one line ("北京江苏上海成都大连" across five
 * cells, "1421 台" across two). Such a line is split where the cell borders cross it: by its word
 * boxes when the engine gave them, and inside a word by character positions estimated from the
 * glyph widths (a CJK character is about twice as wide as a Latin letter or digit). Each piece goes
 * to the cell holding its centre; a cell's pieces are put in reading order (rows of pieces top to
 * bottom, left to right within a row) and joined the way a person would read them: no space between
 * CJK characters, one space between Latin words.
 */
import type { BBox, Line, Point } from '@ocrflow/core';

export interface CellGeometry {
  /** tl, tr, br, bl in page pixels. */
  quad: readonly Point[];
}

export interface TextPiece {
  text: string;
  bbox: BBox;
  line: Line;
}

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;
const NARROW = /[.,:;'!|il1()[\]{}\-\s]/;

/** Relative advance of a character: CJK and full-width ≈ 2, narrow punctuation ≈ 0.6, else 1. */
export function glyphWidth(ch: string): number {
  if (CJK.test(ch)) return 2;
  if (NARROW.test(ch)) return 0.6;
  return 1;
}

function inQuad(q: readonly Point[], x: number, y: number): boolean {
  // Convex quad in clockwise order (image coordinates, y down): the point is on the inner side of every edge.
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = q[i],
      [bx, by] = q[(i + 1) % 4];
    const c = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (c === 0) continue;
    const s = c > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

function quadDistance(q: readonly Point[], x: number, y: number): number {
  const xs = q.map((p) => p[0]),
    ys = q.map((p) => p[1]);
  const dx = Math.max(Math.min(...xs) - x, 0, x - Math.max(...xs));
  const dy = Math.max(Math.min(...ys) - y, 0, y - Math.max(...ys));
  return Math.hypot(dx, dy);
}

/** The cell whose quad holds (x, y), else the nearest one. */
export function cellAt(cells: readonly CellGeometry[], x: number, y: number): number {
  let best = -1,
    bestD = Infinity;
  for (let i = 0; i < cells.length; i++) {
    if (inQuad(cells[i].quad, x, y)) return i;
    const d = quadDistance(cells[i].quad, x, y);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Ink extent (first to last inked column, in page pixels) inside a box, or 0 when blank. */
export type InkExtent = (x0: number, x1: number, y0: number, y1: number) => number;

function push(out: Map<number, TextPiece[]>, cell: number, piece: TextPiece): void {
  if (!piece.text) return;
  let arr = out.get(cell);
  if (!arr) out.set(cell, (arr = []));
  arr.push(piece);
}

/**
 * Split a text span over the cells it crosses. The span is cut where cell borders cross it; its
 * characters are shared out in proportion to the ink in each part (text sits in the middle of a
 * cell with blank padding, so the span's plain length would misplace characters near a border),
 * and with no ink information in proportion to each part's length. Characters are weighted by
 * their typical width.
 */
function splitSpan(text: string, box: BBox, line: Line, cells: readonly CellGeometry[], out: Map<number, TextPiece[]>, ink?: InkExtent): void {
  const yMid = (box[1] + box[3]) / 2;
  // Cells along the span's middle, as intervals (only cells near the span are candidates).
  const near = cells
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => {
      const xs = c.quad.map((p) => p[0]),
        ys = c.quad.map((p) => p[1]);
      return Math.min(...xs) <= box[2] && Math.max(...xs) >= box[0] && Math.min(...ys) <= yMid && Math.max(...ys) >= yMid;
    });
  const nearCells = near.map((n) => n.c);
  const parts: { cell: number; x0: number; x1: number }[] = [];
  const step = Math.max(1, (box[2] - box[0]) / 400);
  for (let x = box[0]; x <= box[2]; x += step) {
    const j = nearCells.length ? cellAt(nearCells, x, yMid) : -1;
    const c = j >= 0 ? near[j].i : cellAt(cells, x, yMid);
    const last = parts[parts.length - 1];
    if (last && last.cell === c) last.x1 = x;
    else parts.push({ cell: c, x0: x, x1: x });
  }
  if (parts.length <= 1) {
    push(out, parts[0]?.cell ?? cellAt(cells, (box[0] + box[2]) / 2, yMid), { text: text.trim(), bbox: box, line });
    return;
  }
  const h = box[3] - box[1];
  const pad = 2;
  const weightsOfParts = parts.map((p, i) => {
    const a = p.x0 + (i > 0 ? pad : 0),
      b = p.x1 - (i < parts.length - 1 ? pad : 0);
    if (b <= a) return 0;
    return ink ? ink(a, b, box[1] + 0.15 * h, box[3] - 0.15 * h) : b - a;
  });
  const totalInk = weightsOfParts.reduce((s, w) => s + w, 0);
  const chars = [...text];
  const gw = chars.map(glyphWidth);
  const totalGw = gw.reduce((s, w) => s + w, 0) || 1;
  // Part k receives the characters whose centre falls in its share of the cumulative ink.
  const bounds: number[] = [];
  let acc = 0;
  for (const w of weightsOfParts) {
    acc += w;
    bounds.push(totalInk > 0 ? acc / totalInk : 0);
  }
  let g = 0,
    k = 0,
    start = 0;
  const emit = (endChar: number) => {
    const t = chars.slice(start, endChar).join('').trim();
    push(out, parts[k].cell, { text: t, bbox: [Math.round(parts[k].x0), box[1], Math.round(parts[k].x1), box[3]], line });
    start = endChar;
  };
  for (let i = 0; i < chars.length; i++) {
    const centre = (g + gw[i] / 2) / totalGw;
    g += gw[i];
    let nk = k;
    while (nk < parts.length - 1 && centre > bounds[nk]) nk++;
    if (nk !== k) {
      emit(i);
      k = nk;
    }
  }
  emit(chars.length);
}

/** Pieces of text per cell index. */
export function assignText(lines: readonly Line[], cells: readonly CellGeometry[], ink?: InkExtent): Map<number, TextPiece[]> {
  const out = new Map<number, TextPiece[]>();
  for (const line of lines) {
    const spans = line.words.length ? line.words.map((w) => ({ text: w.text, bbox: w.bbox })) : [{ text: line.text, bbox: line.bbox }];
    for (const s of spans) splitSpan(s.text, s.bbox, line, cells, out, ink);
  }
  return out;
}

function joinTexts(parts: readonly string[]): string {
  let out = '';
  for (const p of parts) {
    if (!out) out = p;
    else out += CJK.test(out.slice(-1)) || CJK.test(p[0]) ? p : ' ' + p;
  }
  return out;
}

/** Reading-order text of a cell's pieces. */
export function cellText(pieces: readonly TextPiece[]): string {
  if (pieces.length === 0) return '';
  const sorted = [...pieces].sort((a, b) => (a.bbox[1] + a.bbox[3]) / 2 - (b.bbox[1] + b.bbox[3]) / 2);
  const rows: TextPiece[][] = [];
  for (const p of sorted) {
    const row = rows[rows.length - 1];
    const h = p.bbox[3] - p.bbox[1];
    const yc = (p.bbox[1] + p.bbox[3]) / 2;
    if (row) {
      const r0 = row[0];
      const rc = (r0.bbox[1] + r0.bbox[3]) / 2;
      if (Math.abs(yc - rc) < 0.5 * Math.max(h, r0.bbox[3] - r0.bbox[1])) {
        row.push(p);
        continue;
      }
    }
    rows.push([p]);
  }
  return joinTexts(rows.map((r) => joinTexts(r.sort((a, b) => a.bbox[0] - b.bbox[0]).map((p) => p.text))));
}
