/**
 * Sheets: the spreadsheet form of a document's tables, shared by the XLSX writer and the workbench.
 *
 * `documentToSheets` gives one sheet per table (cell text at each merged cell's top-left slot, null
 * in the slots it covers, the merges listed); the workbench shows and edits this JSON, sends it back,
 * and `validateSheets` checks it before `sheetsToXlsx` writes a new workbook version. Keeping one
 * path (`documentToXlsx = sheetsToXlsx ∘ documentToSheets`) means an edited workbook and a fresh
 * one are written by the same code.
 */
import type { OcrDocument } from '../model.ts';
import { isTableBlock, isTextBlock } from '../model.ts';
import { OcrflowError } from '../errors.ts';
import { tableToGrid } from './table-grid.ts';
import { displayedTable } from '../tables-join.ts';
import { tableReviewMarks, validateReviewMarks, type SheetReviewMark } from './sheet-review.ts';

export type { SheetReviewMark };

export type SheetValue = string | number | null;

export interface SheetMerge {
  row: number;
  col: number;
  row_span: number;
  col_span: number;
}

export interface Sheet {
  name: string;
  rows: SheetValue[][];
  merges: SheetMerge[];
  /** Cells to check (OCR confidence below the review threshold); absent when nothing is marked. */
  review?: SheetReviewMark[];
}

export interface SheetsOptions {
  /** Mark table cells whose confidence is below this (the workbench); omit for no marks (XLSX). */
  reviewThreshold?: number;
}

/** Bounds for sheets coming from a browser (far below Excel's own limits, far above real tables). */
export const SHEET_LIMITS = {
  sheets: 255,
  rows: 20_000,
  cols: 1_000,
  cells: 500_000,
  textLength: 32_767, // Excel's limit for one cell
  merges: 50_000,
} as const;

const FORBIDDEN = /[[\]:*?/\\]/;

/**
 * A valid, unique Excel sheet name from a wish: forbidden characters `[]:*?/\` become spaces,
 * surrounding apostrophes and spaces go, at most 31 characters, and a suffix " (2)" … keeps names
 * unique (Excel compares them case-insensitively). Empty wishes become `fallback`.
 */
export function sheetName(wish: string | undefined, fallback: string, taken: Set<string>): string {
  let base = (wish ?? '')
    .replace(/[[\]:*?/\\]/g, ' ')
    .replace(/[\u0000-\u001f]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^['\s]+|['\s]+$/g, '');
  if (!base || base.toLowerCase() === 'history') base = fallback;
  base = [...base].slice(0, 31).join('');
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) {
    const suffix = ` (${i})`;
    name =
      [...base]
        .slice(0, 31 - suffix.length)
        .join('')
        .trimEnd() + suffix;
  }
  taken.add(name.toLowerCase());
  return name;
}

/** One sheet per table, in page and reading order; a document without tables gets its text lines. */
export function documentToSheets(doc: OcrDocument, opts: SheetsOptions = {}): Sheet[] {
  const sheets: Sheet[] = [];
  const taken = new Set<string>();
  let n = 0;
  for (const page of doc.pages) {
    for (const b of page.blocks) {
      if (!isTableBlock(b)) continue;
      // A table joined across pages is one sheet; its later parts are in it already.
      const t = displayedTable(doc, b);
      if (!t) continue;
      n++;
      const grid = tableToGrid(t);
      const rows: SheetValue[][] = grid.map((r) => r.map((s) => (s && s.owner && s.cell.text !== '' ? s.cell.text : null)));
      const merges = t.cells
        .filter((c) => c.row_span > 1 || c.col_span > 1)
        .map((c) => ({
          row: c.row,
          col: c.col,
          row_span: Math.min(c.row_span, t.n_rows - c.row),
          col_span: Math.min(c.col_span, t.n_cols - c.col),
        }))
        .filter((m) => m.row_span >= 1 && m.col_span >= 1 && (m.row_span > 1 || m.col_span > 1))
        .sort((a, b) => a.row - b.row || a.col - b.col);
      const review = opts.reviewThreshold === undefined ? [] : tableReviewMarks(t, opts.reviewThreshold);
      sheets.push({ name: sheetName(t.caption, `Table_${n}`, taken), rows, merges, ...(review.length ? { review } : {}) });
    }
  }
  if (sheets.length) return sheets;
  // No table: the text, one line per row, so the file is never empty or broken.
  const rows: SheetValue[][] = [];
  for (const page of doc.pages) {
    for (const b of page.blocks) {
      if (isTextBlock(b)) for (const l of b.lines.length ? b.lines.map((x) => x.text) : b.text.split('\n')) rows.push([l]);
      else if (b.type === 'figure' || b.type === 'formula') for (const l of b.lines) rows.push([l.text]);
    }
  }
  return [{ name: sheetName('Text', 'Text', taken), rows, merges: [] }];
}

function fail(message: string): never {
  throw new OcrflowError('OCRFLOW_ERR_INVALID_SHEETS', message);
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/**
 * Check sheets sent by a browser and return them normalised (rows padded to a rectangle, 1×1
 * merges dropped). Throws OCRFLOW_ERR_INVALID_SHEETS naming the sheet, row, column or merge that
 * is wrong.
 */
export function validateSheets(input: unknown): Sheet[] {
  if (!Array.isArray(input)) fail('Expected an array of sheets');
  if (input.length === 0) fail('At least one sheet is required');
  if (input.length > SHEET_LIMITS.sheets) fail(`Too many sheets: ${input.length} (at most ${SHEET_LIMITS.sheets})`);
  const names = new Set<string>();
  let totalCells = 0;
  return input.map((raw, si): Sheet => {
    const where = `Sheet ${si + 1}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(`${where} is not an object`);
    const s = raw as Record<string, unknown>;
    if (typeof s.name !== 'string' || !s.name.trim()) fail(`${where} has no name`);
    const name = s.name;
    if ([...name].length > 31) fail(`${where}: the name "${name}" is longer than 31 characters`);
    if (FORBIDDEN.test(name)) fail(`${where}: the name "${name}" contains one of the characters [ ] : * ? / \\`);
    if (/^'|'$/.test(name)) fail(`${where}: the name "${name}" starts or ends with an apostrophe`);
    if (names.has(name.toLowerCase())) fail(`${where}: the name "${name}" is used twice`);
    names.add(name.toLowerCase());
    if (!Array.isArray(s.rows)) fail(`${where} ("${name}"): rows must be an array of rows`);
    const rowsIn = s.rows as unknown[];
    if (rowsIn.length > SHEET_LIMITS.rows) fail(`${where} ("${name}"): ${rowsIn.length} rows (at most ${SHEET_LIMITS.rows})`);
    let width = 0;
    rowsIn.forEach((r, ri) => {
      if (!Array.isArray(r)) fail(`${where} ("${name}"), row ${ri + 1}: not an array of cells`);
      if (r.length > SHEET_LIMITS.cols) fail(`${where} ("${name}"), row ${ri + 1}: ${r.length} columns (at most ${SHEET_LIMITS.cols})`);
      width = Math.max(width, r.length);
      r.forEach((v, ci) => {
        const ok = v === null || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= SHEET_LIMITS.textLength);
        if (!ok) {
          const what =
            typeof v === 'string'
              ? `text longer than ${SHEET_LIMITS.textLength} characters`
              : typeof v === 'number'
                ? 'a number that is not finite'
                : `a value of type ${v === undefined ? 'undefined' : typeof v}`;
          fail(`${where} ("${name}"), row ${ri + 1}, column ${ci + 1}: ${what}; cells must be text, a finite number or null`);
        }
      });
    });
    totalCells += rowsIn.length * width;
    if (totalCells > SHEET_LIMITS.cells) fail(`The sheets hold more than ${SHEET_LIMITS.cells} cells`);
    const rows = (rowsIn as SheetValue[][]).map((r) => (r.length === width ? [...r] : [...r, ...new Array<SheetValue>(width - r.length).fill(null)]));
    const mergesIn = s.merges === undefined ? [] : s.merges;
    if (!Array.isArray(mergesIn)) fail(`${where} ("${name}"): merges must be an array`);
    if (mergesIn.length > SHEET_LIMITS.merges) fail(`${where} ("${name}"): too many merges`);
    const occupied = new Map<number, number>();
    const merges: SheetMerge[] = [];
    mergesIn.forEach((m: unknown, mi: number) => {
      const mw = `${where} ("${name}"), merge ${mi + 1}`;
      if (!m || typeof m !== 'object') fail(`${mw} is not an object`);
      const { row, col, row_span, col_span } = m as Record<string, unknown>;
      if (!isInt(row) || !isInt(col) || row < 0 || col < 0) fail(`${mw}: row and col must be integers ≥ 0`);
      if (!isInt(row_span) || !isInt(col_span) || row_span < 1 || col_span < 1) fail(`${mw}: row_span and col_span must be integers ≥ 1`);
      if (row + row_span > rows.length || col + col_span > width) {
        fail(
          `${mw} (rows ${row + 1}–${row + row_span}, columns ${col + 1}–${col + col_span}) reaches outside the sheet (${rows.length} rows × ${width} columns)`,
        );
      }
      if (row_span === 1 && col_span === 1) return;
      for (let r = row; r < row + row_span; r++) {
        for (let c = col; c < col + col_span; c++) {
          const k = r * width + c;
          const other = occupied.get(k);
          if (other !== undefined) fail(`${mw} overlaps merge ${other + 1} at row ${r + 1}, column ${c + 1}`);
          occupied.set(k, mi);
        }
      }
      merges.push({ row, col, row_span, col_span });
    });
    const review = validateReviewMarks(s.review, rows.length, width, `${where} ("${name}")`);
    return { name, rows, merges, ...(review.length ? { review } : {}) };
  });
}
