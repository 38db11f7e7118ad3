/**
 * From lines (and blocks made by layout stages) to the page's blocks in reading order. Within a
 * text block, the lines that share a row are merged into one line ("TOTAL" and "9.00" on a
 * receipt are one line of text to a reader); word boxes are kept.
 */
import type { BBox, Block, Line, TextBlock } from '@ocrflow/core';
import { unionBBox, bboxToPolygon } from '@ocrflow/core';
import { orderRows, groupBlocks, DEFAULT_ORDER_OPTIONS, type OrderOptions, type OrderedRow } from './reading-order.ts';

interface Unit {
  bbox: BBox;
  line?: Line;
  block?: Block;
}

/** One line from the lines of a row (left to right). */
export function mergeRow(row: readonly Line[]): Line {
  if (row.length === 1) return row[0];
  const bbox = unionBBox(row.map((l) => l.bbox));
  const n = row.reduce((s, l) => s + Math.max(1, l.text.length), 0);
  return {
    text: row.map((l) => l.text).join(' '),
    bbox,
    polygon: bboxToPolygon(bbox),
    confidence: Math.round((row.reduce((s, l) => s + l.confidence * Math.max(1, l.text.length), 0) / n) * 1000) / 1000,
    words: row.flatMap((l) => l.words),
  };
}

export function textBlockFromRows(rows: readonly Line[][]): Omit<TextBlock, 'id'> {
  const lines = rows.map(mergeRow);
  return { type: 'text', bbox: unionBBox(lines.map((l) => l.bbox)), lines, text: lines.map((l) => l.text).join('\n') };
}

/** Blocks in reading order with ids `p{page}-b{n}`. */
export function buildBlocks(pageIndex: number, lines: readonly Line[], stageBlocks: readonly Block[], opts: OrderOptions = DEFAULT_ORDER_OPTIONS): Block[] {
  const units: Unit[] = [...lines.map((line) => ({ bbox: line.bbox, line })), ...stageBlocks.map((block) => ({ bbox: block.bbox, block }))];
  const rows = orderRows(units, opts);
  const out: Omit<Block, 'id'>[] = [];
  let pending: OrderedRow<Unit>[] = [];
  const flush = () => {
    for (const b of groupBlocks(pending, opts)) out.push(textBlockFromRows(b.map((r) => r.map((u) => u.line!))));
    pending = [];
  };
  for (const row of rows) {
    if (row.items.some((u) => u.block)) {
      flush();
      for (const u of row.items) {
        if (u.block) out.push(u.block);
        else out.push(textBlockFromRows([[u.line!]]));
      }
    } else pending.push(row);
  }
  flush();
  return out.map((b, i) => ({ ...b, id: `p${pageIndex}-b${i}` }) as Block);
}
