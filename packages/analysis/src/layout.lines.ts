/**
 * The layout view the analysers work on: every recognised line of the document (text blocks, table
 * cells, figure text) with its page, box and glyph height, and the visual rows they form.
 *
 * Receipts are read by rows, not by blocks: a label (`TOTAL`) and its amount are often separate
 * detections at opposite ends of the paper, and a layout step may even put them in different blocks.
 */
import type { BBox, Line, OcrDocument } from '@ocrflow/core';
import { unionBBox } from '@ocrflow/core';

export interface DocLine {
  page: number;
  text: string;
  bbox: BBox;
  /** Glyph height in pixels: the polygon's side edges when it has four corners (robust to skew), else the box. */
  height: number;
  line: Line;
  /** Position in the document's reading order. */
  order: number;
}

export interface VisualRow {
  page: number;
  /** Left to right. */
  lines: DocLine[];
  bbox: BBox;
  /** The lines' texts joined with a space, left to right. */
  text: string;
  height: number;
  /** Index among the rows of its page, top to bottom. */
  index: number;
}

function glyphHeight(l: Line): number {
  const p = l.polygon;
  if (p && p.length === 4) {
    const left = Math.hypot(p[3][0] - p[0][0], p[3][1] - p[0][1]);
    const right = Math.hypot(p[2][0] - p[1][0], p[2][1] - p[1][1]);
    const h = (left + right) / 2;
    if (h > 0) return h;
  }
  return Math.max(1, l.bbox[3] - l.bbox[1]);
}

/**
 * One detection that holds two printed lines: on a skewed or tightly printed receipt the detector
 * may box two lines as one, and the recogniser then reads them one after the other (sometimes the
 * lower line first). Its words give it away — reading left to right, the next word starts left of
 * the previous one, i.e. the text wrapped back to the left margin. Each run of words becomes a line
 * of its own with the union of its word boxes, so that rows, the address's reading order and the
 * stop at a phone line see the printed lines.
 */
export function splitWrappedLine(l: Line): Line[] {
  const ws = l.words;
  if (ws.length < 2) return [l];
  // The words must spell the line (engines that give words for part of a line are left alone).
  if (ws.map((w) => w.text).join(' ') !== l.text.replace(/\s+/g, ' ').trim()) return [l];
  const runs: Line['words'][] = [[ws[0]]];
  for (let i = 1; i < ws.length; i++) {
    const prev = ws[i - 1].bbox;
    const cur = ws[i].bbox;
    const h = Math.min(prev[3] - prev[1], cur[3] - cur[1]);
    // Back to the left by more than a glyph height, and not on the same baseline band.
    const wrapped = cur[0] < prev[0] - h && Math.abs((cur[1] + cur[3]) / 2 - (prev[1] + prev[3]) / 2) > 0.25 * h;
    if (wrapped) runs.push([ws[i]]);
    else runs[runs.length - 1].push(ws[i]);
  }
  if (runs.length === 1) return [l];
  return runs.map((run) => {
    const bbox = unionBBox(run.map((w) => w.bbox));
    return {
      text: run.map((w) => w.text).join(' '),
      bbox,
      polygon: [],
      confidence: median(run.map((w) => w.confidence)),
      words: run,
    };
  });
}

/** Glyph height of a line cut out of a wrapped detection: its words' median box height (skew inflates the union box). */
function runHeight(l: Line): number {
  return median(l.words.map((w) => w.bbox[3] - w.bbox[1])) || glyphHeight(l);
}

/** All lines with text, in reading order (the order blocks and cells give). */
export function collectLines(doc: OcrDocument): DocLine[] {
  const out: DocLine[] = [];
  const seen = new Set<string>();
  for (const page of doc.pages) {
    const pushOne = (l: Line, split: boolean) => {
      const text = l.text.replace(/\s+/g, ' ').trim();
      if (!text) return;
      const key = `${page.index}:${l.bbox.join(',')}:${text}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ page: page.index, text, bbox: l.bbox, height: split ? runHeight(l) : glyphHeight(l), line: l, order: out.length });
    };
    const push = (l: Line) => {
      const parts = splitWrappedLine(l);
      if (parts.length === 1) return pushOne(l, false);
      // Top to bottom: the recogniser's order of the runs is not the print's.
      for (const p of [...parts].sort((a, b) => a.bbox[1] + a.bbox[3] - (b.bbox[1] + b.bbox[3]))) pushOne(p, true);
    };
    for (const b of page.blocks) {
      if (b.type === 'table') for (const c of b.table.cells) c.lines.forEach(push);
      else b.lines.forEach(push);
    }
  }
  return out;
}

/** Median of a list (0 for none). */
export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Group lines into visual rows: a line joins a row when their vertical extents overlap by at least
 * half of the shorter one (measured on the centre band, so that a tall neighbour does not swallow
 * two small rows).
 */
export function groupRows(lines: readonly DocLine[]): VisualRow[] {
  const rows: VisualRow[] = [];
  const byPage = new Map<number, DocLine[]>();
  for (const l of lines) {
    const list = byPage.get(l.page) ?? [];
    list.push(l);
    byPage.set(l.page, list);
  }
  for (const [page, list] of [...byPage.entries()].sort((a, b) => a[0] - b[0])) {
    const sorted = [...list].sort((a, b) => a.bbox[1] + a.bbox[3] - (b.bbox[1] + b.bbox[3]));
    const pageRows: { lines: DocLine[]; y0: number; y1: number }[] = [];
    for (const l of sorted) {
      const cy = (l.bbox[1] + l.bbox[3]) / 2;
      const half = l.height / 2;
      let best: (typeof pageRows)[number] | null = null;
      let bestOverlap = 0;
      // Only the last few rows can overlap a line further down the sorted list.
      for (let i = pageRows.length - 1; i >= Math.max(0, pageRows.length - 3); i--) {
        const r = pageRows[i];
        const inter = Math.min(cy + half, r.y1) - Math.max(cy - half, r.y0);
        const ratio = inter / Math.min(2 * half, r.y1 - r.y0);
        if (ratio > 0.5 && ratio > bestOverlap && !r.lines.some((o) => o.bbox[0] < l.bbox[2] && l.bbox[0] < o.bbox[2])) {
          best = r;
          bestOverlap = ratio;
        }
      }
      if (best) {
        best.lines.push(l);
        // Keep the row's band at its first line's: rows must not drift down a skewed page.
      } else pageRows.push({ lines: [l], y0: cy - half, y1: cy + half });
    }
    pageRows.forEach((r, index) => {
      const ls = r.lines.sort((a, b) => a.bbox[0] - b.bbox[0]);
      rows.push({
        page,
        lines: ls,
        bbox: unionBBox(ls.map((x) => x.bbox)),
        text: ls.map((x) => x.text).join(' '),
        height: median(ls.map((x) => x.height)),
        index,
      });
    });
  }
  return rows;
}

/**
 * Box of the characters [start, end) of a line: from its word boxes when the engine gave them,
 * else interpolated along the line box by character position (monospaced receipt fonts make that
 * close).
 */
export function spanBBox(l: DocLine, start: number, end: number): BBox {
  const text = l.text;
  if (start <= 0 && end >= text.length) return l.bbox;
  const words = l.line.words;
  if (words.length) {
    // Map characters to words by walking the line text word by word.
    let pos = 0;
    const hit: BBox[] = [];
    for (const w of words) {
      const at = text.indexOf(w.text, pos);
      if (at < 0) continue;
      const wEnd = at + w.text.length;
      if (at < end && wEnd > start) hit.push(w.bbox);
      pos = wEnd;
    }
    if (hit.length) return unionBBox(hit);
  }
  const [x0, y0, x1, y1] = l.bbox;
  const n = Math.max(1, text.length);
  return [Math.round(x0 + ((x1 - x0) * start) / n), y0, Math.round(x0 + ((x1 - x0) * end) / n), y1];
}
