/**
 * Tables that continue on the next page. A table that ends a page and a table that starts the next
 * one, with the same columns at the same places, are one table cut by the page break: the later
 * part gets `continues` (the first part's block id) and the first part lists the parts in
 * `table.joined`. Each part keeps its own block and geometry on its own page (boxes stay true for
 * the overlay and the searchable PDF); outputs that show tables (sheets/XLSX, HTML, Markdown) show
 * the joined table once, with a header row the next page repeats left out.
 */
import type { Block, OcrDocument, Page, Table, TableBlock, TableCell } from './model.ts';
import { isTableBlock } from './model.ts';

/** Share of the page height at its top and bottom where running heads and page numbers sit. */
const MARGIN = 0.1;
/** Largest difference of a column's position between the parts, as a share of the page width. */
const COLUMN_TOLERANCE = 0.04;

const ignorable = (b: Block, page: Page, edge: 'top' | 'bottom') =>
  b.type === 'header' || b.type === 'footer' || (edge === 'bottom' ? b.bbox[1] >= page.height * (1 - MARGIN) : b.bbox[3] <= page.height * MARGIN);

/** The table that ends the page: nothing but running text in the bottom margin below it. */
function endingTable(page: Page): TableBlock | null {
  const tables = page.blocks.filter(isTableBlock);
  const last = tables.at(-1);
  if (!last) return null;
  const below = page.blocks.filter((b) => b !== last && b.bbox[1] >= last.bbox[3] - 1);
  return below.every((b) => ignorable(b, page, 'bottom')) ? last : null;
}

/** The table that starts the page: nothing but running text in the top margin above it. */
function startingTable(page: Page): TableBlock | null {
  const first = page.blocks.find(isTableBlock);
  if (!first) return null;
  const above = page.blocks.filter((b) => b !== first && b.bbox[3] <= first.bbox[1] + 1);
  return above.every((b) => ignorable(b, page, 'top')) ? first : null;
}

/** Each column's left edge as a share of the page width (null where no single-column cell has a box). */
function columnEdges(t: Table, pageWidth: number): (number | null)[] {
  const edges: (number | null)[] = [];
  for (let c = 0; c < t.n_cols; c++) {
    const xs = t.cells
      .filter((x) => x.col === c && x.col_span === 1 && x.bbox)
      .map((x) => (x.bbox as number[])[0])
      .sort((a, b) => a - b);
    edges.push(xs.length ? xs[Math.floor(xs.length / 2)] / pageWidth : null);
  }
  return edges;
}

function sameColumns(a: TableBlock, pa: Page, b: TableBlock, pb: Page): boolean {
  if (a.table.n_cols !== b.table.n_cols || a.table.n_cols === 0) return false;
  const ea = columnEdges(a.table, pa.width),
    eb = columnEdges(b.table, pb.width);
  return ea.every((x, i) => x === null || eb[i] === null || Math.abs(x - (eb[i] as number)) <= COLUMN_TOLERANCE);
}

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
const rowTexts = (t: Table, r: number) => Array.from({ length: t.n_cols }, (_, c) => norm(t.cells.find((x) => x.row === r && x.col === c)?.text ?? ''));

/** Leading rows of `next` that repeat the first rows of `head` (a header printed again on each page). */
function repeatedHeaderRows(head: Table, next: Table): number {
  let n = 0;
  while (n < head.n_rows && n < next.n_rows - 1) {
    const a = rowTexts(head, n),
      b = rowTexts(next, n);
    if (a.every((x) => x === '') || a.join('\u0000') !== b.join('\u0000')) break;
    // Only header rows repeat; a first row that is data (no header cells) is compared once.
    n++;
    if (!head.cells.some((x) => x.row === n && x.header)) break;
  }
  return n;
}

/** Marks tables continuing across page breaks (idempotent; a document with marks is returned as is). */
export function joinTablesAcrossPages(doc: OcrDocument): OcrDocument {
  let head: TableBlock | null = null;
  for (let i = 0; i + 1 < doc.pages.length; i++) {
    const pa = doc.pages[i],
      pb = doc.pages[i + 1];
    if (pb.index !== pa.index + 1) {
      head = null;
      continue;
    }
    const end = endingTable(pa),
      start = startingTable(pb);
    if (!end || !start || start.continues || !sameColumns(end, pa, start, pb)) {
      head = null;
      continue;
    }
    if (!head || !(end.continues === head.id || end === head)) head = end;
    const skipped = repeatedHeaderRows(head.table, start.table);
    start.continues = head.id;
    (head.table.joined ??= []).push({ page: pb.index, block: start.id, header_rows_skipped: skipped, rows: start.table.n_rows - skipped });
  }
  return doc;
}

/** The table a block shows in outputs: the joined table for a first part, null for a later part. */
export function displayedTable(doc: OcrDocument, b: TableBlock): Table | null {
  if (b.continues) return null;
  if (!b.table.joined?.length) return b.table;
  const blocks = new Map<string, TableBlock>();
  for (const p of doc.pages) for (const x of p.blocks) if (isTableBlock(x)) blocks.set(x.id, x);
  const cells: TableCell[] = [...b.table.cells];
  let rows = b.table.n_rows;
  for (const part of b.table.joined) {
    const t = blocks.get(part.block)?.table;
    if (!t) continue;
    for (const c of t.cells) {
      if (c.row < part.header_rows_skipped) continue;
      cells.push({ ...c, row: c.row - part.header_rows_skipped + rows, row_span: Math.min(c.row_span, t.n_rows - c.row) });
    }
    rows += t.n_rows - part.header_rows_skipped;
  }
  return { ...b.table, n_rows: rows, cells };
}
