/**
 * Markup segments → blocks and lines of the document model, in page pixels.
 *
 * Geometry: a block's box is the union of the model's boxes. Remote models give no line boxes, so
 * a text block's lines split its box(es) evenly from top to bottom, one line per Markdown line
 * (several boxes in one block share the lines in proportion to their heights), and words split a
 * line's box by character offsets. Good enough for the workbench overlay and for reading order; the
 * confidence of such lines is 1 because the endpoint gives no score.
 *
 * Markup without any boxes (plain Markdown from a generic VLM, or DeepSeek "Free OCR."): blocks
 * are stacked over the full page width, each as tall as its share of the lines, in the model's
 * order, and the page is flagged `approximate_boxes`. We chose stacking over giving every block the
 * full page box because identical boxes would make every consumer that sorts by position (reading
 * order, overlays, the analysis' nearest-label search) see one giant overlap.
 */
import { bboxToPolygon, roundBBox, tableToRows, unionBBox } from '@ocrflow/core';
import type { BBox, Block, Line, Table, TextBlockType, Word } from '@ocrflow/core';
import { containsHtmlTable, parseHtmlTables } from './html-table.parser.ts';
import { blockTypeForLabel } from './labels.map.ts';
import type { MarkupSegment } from './markdown.segments.ts';
import { isMarkdownTable, parseMarkdownTable } from './markdown-table.parser.ts';
import { cleanInlineText, textLines } from './text.clean.ts';

export interface BuildOptions {
  width: number;
  height: number;
  /** For block ids `p{page}-b{n}` (the pipeline may renumber). */
  pageIndex?: number;
}

export interface BuiltBlocks {
  blocks: Block[];
  /** Lines of every block, plus one line per non-empty table row (for overlays and text search). */
  lines: Line[];
  /** `approximate_boxes` when some block had no box from the model. */
  flags: string[];
}

type Draft =
  | { kind: 'text'; type: TextBlockType; level?: number; lines: string[] }
  | { kind: 'formula'; latex: string; lines: string[] }
  | { kind: 'figure'; lines: string[] }
  | { kind: 'table'; table: Table };

/** The LaTeX source of a display formula without its outer delimiters (outputs add their own). */
export function stripMathDelimiters(s: string): string {
  const t = s.trim();
  const pairs: [string, string][] = [
    ['$$', '$$'],
    ['\\[', '\\]'],
    ['\\(', '\\)'],
    ['$', '$'],
  ];
  for (const [o, c] of pairs) {
    if (t.length > o.length + c.length - 1 && t.startsWith(o) && t.endsWith(c)) return t.slice(o.length, t.length - c.length).trim();
  }
  // A truncated answer may have lost the closing delimiter.
  for (const [o] of pairs.slice(0, 2)) if (t.startsWith(o)) return t.slice(o.length).trim();
  return t;
}

function tableDrafts(content: string): Draft[] {
  const tables = parseHtmlTables(content).filter((t) => t.n_rows > 0);
  if (!tables.length) return [];
  // Text next to the table inside the same block (a caption the model did not separate).
  const rest = textLines(cleanInlineText(content.replace(/<table[\s>][\s\S]*?(<\/table\s*>|$)/gi, '\n'))).join(' ');
  if (rest && !tables[0].caption) tables[0].caption = rest;
  return tables.map((table) => ({ kind: 'table', table }));
}

function draftsFor(seg: MarkupSegment, yCentre: number | undefined): Draft[] {
  // Segmenter labels ('text', 'heading', 'table', …) are in the same map as the models' labels.
  const type = blockTypeForLabel(seg.label, yCentre);
  const content = seg.content;
  if (type !== 'formula' && containsHtmlTable(content)) {
    const t = tableDrafts(content);
    if (t.length) return t;
  }
  const raw = content.split('\n').filter((l) => l.trim());
  if ((type === 'table' || !seg.modelLabel) && isMarkdownTable(raw.map((l) => l.trim()))) {
    const table = parseMarkdownTable(raw.map((l) => l.trim()));
    if (table.n_rows > 0) return [{ kind: 'table', table }];
  }
  if (type === 'formula') {
    const latex = stripMathDelimiters(content);
    return latex ? [{ kind: 'formula', latex, lines: textLines(latex) }] : [];
  }
  const lines = type === 'code' ? content.split('\n').filter((l) => l.trim()) : textLines(cleanInlineText(content));
  if (type === 'figure') return [{ kind: 'figure', lines }];
  if (!lines.length) return [];
  if (type === 'title' || type === 'heading') {
    const m = /^(#{1,6})\s+/.exec(lines[0]);
    lines[0] = lines[0].replace(/^#{1,6}\s+/, '');
    const level = type === 'title' ? 1 : Math.min(6, Math.max(2, m ? m[1].length : 2));
    return [{ kind: 'text', type, level, lines }];
  }
  const textType: TextBlockType = type === 'table' ? 'text' : (type as TextBlockType);
  return [{ kind: 'text', type: textType, lines }];
}

function weight(d: Draft): number {
  return d.kind === 'table' ? Math.max(1, d.table.n_rows) : Math.max(1, d.lines.length);
}

function makeWords(text: string, b: BBox): Word[] {
  const words: Word[] = [];
  const w = b[2] - b[0];
  const n = Math.max(1, text.length);
  for (const m of text.matchAll(/\S+/g)) {
    const x0 = b[0] + (m.index! / n) * w;
    const x1 = b[0] + ((m.index! + m[0].length) / n) * w;
    words.push({ text: m[0], bbox: roundBBox([x0, b[1], x1, b[3]]), confidence: 1 });
  }
  return words;
}

function makeLine(text: string, b: BBox): Line {
  const bbox = roundBBox(b);
  return { text, bbox, polygon: bboxToPolygon(bbox), confidence: 1, words: makeWords(text, b) };
}

/** Lines top to bottom over one or more boxes, shared in proportion to the boxes' heights. */
export function layoutLines(texts: readonly string[], boxes: readonly BBox[]): Line[] {
  if (!texts.length || !boxes.length) return [];
  const heights = boxes.map((b) => Math.max(1e-6, b[3] - b[1]));
  const total = heights.reduce((a, h) => a + h, 0);
  const perBox: string[][] = boxes.map(() => []);
  texts.forEach((t, i) => {
    let f = ((i + 0.5) / texts.length) * total;
    let k = 0;
    while (k < boxes.length - 1 && f > heights[k]) f -= heights[k++];
    perBox[k].push(t);
  });
  const out: Line[] = [];
  perBox.forEach((ts, k) => {
    const b = boxes[k];
    const h = (b[3] - b[1]) / Math.max(1, ts.length);
    ts.forEach((t, i) => out.push(makeLine(t, [b[0], b[1] + i * h, b[2], b[1] + (i + 1) * h])));
  });
  return out;
}

function tableRowLines(t: Table, b: BBox): Line[] {
  const rows = tableToRows(t);
  const h = (b[3] - b[1]) / Math.max(1, rows.length);
  const out: Line[] = [];
  rows.forEach((r, i) => {
    const text = r
      .map((c) => c.replace(/\s*\n\s*/g, ' '))
      .filter(Boolean)
      .join(' ');
    if (text) out.push(makeLine(text, [b[0], b[1] + i * h, b[2], b[1] + (i + 1) * h]));
  });
  return out;
}

export function buildBlocks(segments: readonly MarkupSegment[], opts: BuildOptions): BuiltBlocks {
  const { width, height } = opts;
  const page: BBox = [0, 0, width, height];
  const flags: string[] = [];
  const prepared = segments
    .map((seg) => {
      const u = seg.boxes.length ? unionBBox(seg.boxes) : null;
      return { seg, box: u, drafts: draftsFor(seg, u ? (u[1] + u[3]) / 2 / Math.max(1, height) : undefined) };
    })
    .filter((p) => p.drafts.length > 0);

  // Boxes for segments the model gave none (see the header comment).
  if (prepared.some((p) => !p.box)) flags.push('approximate_boxes');
  if (prepared.every((p) => !p.box)) {
    const total = prepared.reduce((a, p) => a + p.drafts.reduce((s, d) => s + weight(d), 0), 0);
    let y = 0;
    for (const p of prepared) {
      const h = (height * p.drafts.reduce((s, d) => s + weight(d), 0)) / Math.max(1, total);
      p.box = [0, y, width, y + h];
      y += h;
    }
  }

  const blocks: Block[] = [];
  const lines: Line[] = [];
  const pi = opts.pageIndex ?? 0;
  for (const p of prepared) {
    const segBox = p.box ?? page;
    const segWeight = p.drafts.reduce((s, d) => s + weight(d), 0);
    let y = segBox[1];
    for (const d of p.drafts) {
      // One draft keeps the model's boxes; several drafts (two tables in one block) share it top-down.
      const boxes: BBox[] =
        p.drafts.length === 1 && p.seg.boxes.length ? p.seg.boxes : [[segBox[0], y, segBox[2], y + ((segBox[3] - segBox[1]) * weight(d)) / segWeight]];
      y = boxes[boxes.length - 1][3];
      const bbox = roundBBox(p.drafts.length === 1 ? segBox : unionBBox(boxes));
      const base = { id: `p${pi}-b${blocks.length}`, bbox, ...(p.seg.modelLabel ? { source_label: p.seg.label } : {}) };
      if (d.kind === 'table') {
        blocks.push({ ...base, type: 'table', table: d.table });
        lines.push(...tableRowLines(d.table, bbox));
        continue;
      }
      const ls = layoutLines(d.lines, boxes);
      lines.push(...ls);
      if (d.kind === 'formula') blocks.push({ ...base, type: 'formula', latex: d.latex, lines: ls });
      else if (d.kind === 'figure') blocks.push({ ...base, type: 'figure', lines: ls });
      else blocks.push({ ...base, type: d.type, ...(d.level !== undefined ? { level: d.level } : {}), lines: ls, text: ls.map((l) => l.text).join('\n') });
    }
  }
  return { blocks, lines, flags };
}
