/**
 * Page geometry from a reduced working copy back to the stored page's pixels: a page read at a
 * fraction of its size (page.ocr.ts) reports its width, height and every box as if it had been
 * read at full size, so clients overlaying boxes on the original image need to know nothing.
 */
import type { BBox, Block, Line, Page, Point, TableCell, Word } from '@ocrflow/core';

export function scalePage(page: Page, width: number, height: number): Page {
  const kx = width / page.width,
    ky = height / page.height;
  if (kx === 1 && ky === 1) return page;
  const box = (b: BBox): BBox => [Math.round(b[0] * kx), Math.round(b[1] * ky), Math.round(b[2] * kx), Math.round(b[3] * ky)];
  const pt = (p: Point): Point => [Math.round(p[0] * kx), Math.round(p[1] * ky)];
  // A line can sit in a block and in a table cell at once: scale it once and keep it shared.
  const seen = new Map<Line, Line>();
  const line = (l: Line): Line => {
    let s = seen.get(l);
    if (!s) {
      s = { ...l, bbox: box(l.bbox), polygon: l.polygon.map(pt), words: l.words.map((w: Word) => ({ ...w, bbox: box(w.bbox) })) };
      seen.set(l, s);
    }
    return s;
  };
  const cell = (c: TableCell): TableCell => ({ ...c, bbox: c.bbox ? box(c.bbox) : null, lines: c.lines.map(line) });
  const block = (b: Block): Block => {
    if (b.type === 'table') return { ...b, bbox: box(b.bbox), table: { ...b.table, cells: b.table.cells.map(cell) } };
    return { ...b, bbox: box(b.bbox), lines: b.lines.map(line) };
  };
  return { ...page, width, height, blocks: page.blocks.map(block) };
}
