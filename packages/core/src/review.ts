/**
 * Confidence a person can review: which table cells are doubtful enough to be checked. A cell's
 * confidence is its weakest word's (one misread digit makes the whole amount wrong); a cell with
 * no score (null: the engine gives none, or nothing was read) is never marked, because a mark
 * would claim a doubt nobody measured.
 */
import type { Block, Line, OcrDocument, TableCell } from './model.ts';
import { isTableBlock } from './model.ts';

/** The lowest word confidence of the lines (line confidence where a line has no words); null without words. */
export function weakestConfidence(lines: readonly Line[]): number | null {
  let min: number | null = null;
  for (const l of lines) {
    const scores = l.words.length ? l.words.map((w) => w.confidence) : l.text.trim() ? [l.confidence] : [];
    for (const c of scores) if (Number.isFinite(c)) min = min === null ? c : Math.min(min, c);
  }
  return min === null ? null : Math.round(min * 1000) / 1000;
}

/** Sets `confidence` on every table cell of the blocks: from its words when `scored`, else null. */
export function annotateCellConfidence(blocks: readonly Block[], scored: boolean): void {
  for (const b of blocks) {
    if (!isTableBlock(b)) continue;
    for (const c of b.table.cells) c.confidence = scored ? weakestConfidence(c.lines) : null;
  }
}

export function needsReview(cell: Pick<TableCell, 'confidence'>, threshold: number): boolean {
  return typeof cell.confidence === 'number' && cell.confidence < threshold;
}

/** Table cells of the document below the review threshold. */
export function cellsToCheck(doc: OcrDocument, threshold: number): number {
  let n = 0;
  for (const p of doc.pages) for (const b of p.blocks) if (isTableBlock(b)) for (const c of b.table.cells) if (needsReview(c, threshold)) n++;
  return n;
}
