/**
 * Fixing a table's structure by hand, as pure functions on a Sheet: merge a rectangle of cells,
 * split merged cells, move a cell's text to another cell. Like sheet.ops, every function returns a
 * new sheet (or the same one when nothing changes) and never changes its input, and every result
 * is accepted by core's `validateSheets` (merges inside the sheet, none overlapping).
 *
 * Nothing typed is ever lost by these steps:
 * - a merge keeps the text of every cell it swallows, joined in reading order (row by row, left to
 *   right) into its top-left slot: cells of one row joined by a space — none between two CJK
 *   characters, since Chinese and Japanese are written without spaces — and rows by a line break
 *   (Excel shows it as a line break inside the cell; the XLSX writer wraps text);
 * - a split leaves the text in the top-left slot, the freed slots empty;
 * - a move into a cell that already holds text adds the moved text after it (same joining rule).
 */
import { dropMark } from './sheet.review.ts';
import type { Sheet, SheetMerge, SheetValue } from './api.types.ts';
import { mergeAt } from './sheet.ops.ts';

/** A rectangle of cells, inclusive: rows `row…rowEnd`, columns `col…colEnd`. */
export interface CellRange {
  row: number;
  col: number;
  rowEnd: number;
  colEnd: number;
}

const intersects = (m: SheetMerge, r: CellRange) =>
  m.row <= r.rowEnd && m.row + m.row_span - 1 >= r.row && m.col <= r.colEnd && m.col + m.col_span - 1 >= r.col;

/** The range ordered and clipped to the sheet. */
export function clampRange(s: Sheet, r: CellRange): CellRange {
  const rows = s.rows.length;
  const cols = s.rows.reduce((w, x) => Math.max(w, x.length), 0);
  const clip = (v: number, n: number) => Math.max(0, Math.min(v, n - 1));
  return {
    row: clip(Math.min(r.row, r.rowEnd), rows),
    rowEnd: clip(Math.max(r.row, r.rowEnd), rows),
    col: clip(Math.min(r.col, r.colEnd), cols),
    colEnd: clip(Math.max(r.col, r.colEnd), cols),
  };
}

/**
 * The smallest range that holds `r` and every merge it touches (a merge is never cut in two):
 * grown until no merge sticks out, since taking in one merge can make the range touch another.
 */
export function expandToMerges(s: Sheet, r: CellRange): CellRange {
  let out = clampRange(s, r);
  for (let grew = true; grew; ) {
    grew = false;
    for (const m of s.merges) {
      if (!intersects(m, out)) continue;
      const next = {
        row: Math.min(out.row, m.row),
        col: Math.min(out.col, m.col),
        rowEnd: Math.max(out.rowEnd, m.row + m.row_span - 1),
        colEnd: Math.max(out.colEnd, m.col + m.col_span - 1),
      };
      if (next.row !== out.row || next.col !== out.col || next.rowEnd !== out.rowEnd || next.colEnd !== out.colEnd) {
        out = next;
        grew = true;
      }
    }
  }
  return out;
}

/** Han, kana, Hangul and full-width punctuation: scripts written without spaces between words. */
const CJK = /[\u2e80-\u9fff\u3000-\u303f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u;

/** Join two pieces of one line: a space between them unless both sides of the seam are CJK. */
function joinInLine(a: string, b: string): string {
  const last = [...a].pop() ?? '';
  const first = [...b][0] ?? '';
  return CJK.test(last) && CJK.test(first) ? a + b : `${a} ${b}`;
}

const textOf = (v: SheetValue): string => (v === null ? '' : String(v).trim());

/**
 * The values of a range joined in reading order (see the module comment). One non-empty value is
 * kept as it is (a number stays a number); none gives null.
 */
export function joinValues(rows: SheetValue[][]): SheetValue {
  const filled = rows.flat().filter((v) => textOf(v) !== '');
  if (filled.length === 0) return null;
  if (filled.length === 1) return filled[0];
  const lines = rows
    .map((r) =>
      r
        .map(textOf)
        .filter((t) => t !== '')
        .reduce((acc, t) => (acc === '' ? t : joinInLine(acc, t)), ''),
    )
    .filter((l) => l !== '');
  return lines.join('\n');
}

const byPosition = (a: SheetMerge, b: SheetMerge) => a.row - b.row || a.col - b.col;

/**
 * Merge the cells of `range` (grown to whole merges) into one: the texts joined into its top-left
 * slot, the other slots emptied, the merges inside replaced by one. Returns the sheet unchanged
 * when the range is a single cell or already exactly one merge.
 */
export function mergeRange(s: Sheet, range: CellRange): { sheet: Sheet; range: CellRange } {
  const r = expandToMerges(s, range);
  if (!canMerge(s, r)) return { sheet: s, range: r };
  const rowSpan = r.rowEnd - r.row + 1;
  const colSpan = r.colEnd - r.col + 1;
  const block: SheetValue[][] = [];
  for (let y = r.row; y <= r.rowEnd; y++) block.push(Array.from({ length: colSpan }, (_, i) => s.rows[y][r.col + i] ?? null));
  const joined = joinValues(block);
  const rows = s.rows.map((row, y) => {
    if (y < r.row || y > r.rowEnd) return row;
    const next = row.slice();
    for (let x = r.col; x <= r.colEnd; x++) next[x] = null;
    if (y === r.row) next[r.col] = joined;
    return next;
  });
  const merges = [...s.merges.filter((m) => !intersects(m, r)), { row: r.row, col: r.col, row_span: rowSpan, col_span: colSpan }].sort(byPosition);
  return { sheet: { ...s, rows, merges }, range: r };
}

/** Merges a split of `range` would undo: every merge the range touches. */
export function mergesIn(s: Sheet, range: CellRange): SheetMerge[] {
  const r = clampRange(s, range);
  return s.merges.filter((m) => intersects(m, r));
}

/**
 * Split every merged cell the range touches back into plain cells. Each text stays in its
 * top-left slot (where the sheet already keeps it), so only the merges go.
 */
export function splitRange(s: Sheet, range: CellRange): { sheet: Sheet; range: CellRange } {
  const hit = mergesIn(s, range);
  if (!hit.length) return { sheet: s, range: clampRange(s, range) };
  const r = expandToMerges(s, range);
  return { sheet: { ...s, merges: s.merges.filter((m) => !hit.includes(m)) }, range: r };
}

/** The slot that holds the value of the cell at (row, col): a merge's top-left slot, else itself. */
export function anchorOf(s: Sheet, row: number, col: number): { row: number; col: number } {
  const m = mergeAt(s, row, col);
  return m ? { row: m.row, col: m.col } : { row, col };
}

/**
 * Move the text of the cell at `from` to the cell at `to` (merged cells by their top-left slot);
 * the structure stays as it is. Moving onto text adds the moved text after it, so both are kept.
 */
export function moveText(s: Sheet, from: { row: number; col: number }, to: { row: number; col: number }): Sheet {
  const a = anchorOf(s, from.row, from.col);
  const b = anchorOf(s, to.row, to.col);
  if (a.row === b.row && a.col === b.col) return s;
  if (a.row >= s.rows.length || b.row >= s.rows.length) return s;
  const moving = s.rows[a.row][a.col] ?? null;
  if (textOf(moving) === '') return s;
  const there = s.rows[b.row][b.col] ?? null;
  const value = textOf(there) === '' ? moving : joinInLine(textOf(there), textOf(moving));
  const rows = s.rows.map((r) => r.slice());
  rows[a.row][a.col] = null;
  rows[b.row][b.col] = value;
  // A person decided where the text belongs: both cells are checked.
  return dropMark(dropMark({ ...s, rows }, a.row, a.col), b.row, b.col);
}

/** Whether merging `range` would change anything (more than one cell, not already one merge). */
export function canMerge(s: Sheet, range: CellRange): boolean {
  const r = expandToMerges(s, range);
  if (r.row === r.rowEnd && r.col === r.colEnd) return false;
  const inside = s.merges.filter((m) => intersects(m, r));
  return !(inside.length === 1 && inside[0].row_span === r.rowEnd - r.row + 1 && inside[0].col_span === r.colEnd - r.col + 1);
}
