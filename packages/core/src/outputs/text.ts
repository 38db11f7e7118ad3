/** Plain text of a document: blocks in reading order, table rows as tab-separated cells. */
import type { Block, OcrDocument, Page } from '../model.ts';
import { tableToRows } from './table-grid.ts';

export function blockToText(b: Block): string {
  switch (b.type) {
    case 'table':
      return tableToRows(b.table)
        .map((r) => r.map((c) => c.replace(/\s*\n\s*/g, ' ')).join('\t'))
        .join('\n');
    case 'formula':
      return b.latex;
    case 'figure':
      return b.lines.map((l) => l.text).join('\n');
    default:
      return b.text;
  }
}

export function pageToText(p: Page): string {
  return p.blocks
    .map(blockToText)
    .filter((t) => t.length > 0)
    .join('\n');
}

/** Pages separated by a form feed, the conventional page break of plain text. */
export function documentToText(doc: OcrDocument): string {
  return doc.pages.map(pageToText).join('\n\f\n') + (doc.pages.length ? '\n' : '');
}
