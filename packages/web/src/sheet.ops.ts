/**
 * Edits of a Sheet (`{name, rows, merges}` from @ocrflow/core) as pure functions.
 *
 * The grid component only displays a sheet and reports typed values; inserting and deleting rows
 * and columns happen here, because spreadsheet components tend to drop every merge that an insert
 * or delete touches (jspreadsheet asks "This action will destroy any existing merged cells"). The
 * rules are Excel's:
 * - inserting strictly inside a merge widens it; inserting at its edge moves it or leaves it alone;
 * - deleting a row/column a merge covers shrinks it (a merge that becomes 1×1 is no merge); when the
 *   deleted row/column held the merge's top-left value, that value moves to the new top-left slot.
 * Every function returns a new sheet and never changes its input (React state stays immutable).
 */
import type { Sheet, SheetMerge, SheetValue } from './api.types.ts';
import { dropMark, shiftMarks } from './sheet.review.ts';

export function sheetSize(s: Sheet): { rows: number; cols: number } {
  return { rows: s.rows.length, cols: s.rows.reduce((w, r) => Math.max(w, r.length), 0) };
}

/** Rows padded to a rectangle of at least 1×1, so the grid and the ops can index freely. */
export function normaliseSheet(s: Sheet): Sheet {
  const { cols } = sheetSize(s);
  const width = Math.max(1, cols);
  const rows = s.rows.length
    ? s.rows.map((r) => (r.length === width ? [...r] : [...r, ...new Array<SheetValue>(width - r.length).fill(null)]))
    : [new Array<SheetValue>(width).fill(null)];
  return { name: s.name, rows, merges: s.merges.map((m) => ({ ...m })), ...(s.review?.length ? { review: s.review.map((m) => ({ ...m })) } : {}) };
}

/** The merge covering (row, col), if any. */
export function mergeAt(s: Sheet, row: number, col: number): SheetMerge | undefined {
  return s.merges.find((m) => row >= m.row && row < m.row + m.row_span && col >= m.col && col < m.col + m.col_span);
}

/** The value typed into a cell as the sheet stores it: empty text is an empty cell. */
export function cellValue(raw: string | number | boolean | null | undefined): SheetValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  const text = String(raw);
  return text === '' ? null : text;
}

export function setCell(s: Sheet, row: number, col: number, value: SheetValue): Sheet {
  if (row < 0 || row >= s.rows.length || col < 0) return s;
  if (s.rows[row][col] === value) return s;
  const rows = s.rows.slice();
  const r = rows[row].slice();
  while (r.length <= col) r.push(null);
  r[col] = value;
  rows[row] = r;
  // Typed over by a person: the cell is checked.
  return dropMark({ ...s, rows }, row, col);
}

const keepReal = (m: SheetMerge) => m.row_span > 1 || m.col_span > 1;

/** Insert an empty row so that it has index `at` (0 … rows). */
export function insertRow(s: Sheet, at: number): Sheet {
  const { cols } = sheetSize(s);
  const pos = Math.max(0, Math.min(at, s.rows.length));
  const rows = [...s.rows.slice(0, pos), new Array<SheetValue>(Math.max(1, cols)).fill(null), ...s.rows.slice(pos)];
  const merges = s.merges.map((m) => {
    if (m.row >= pos) return { ...m, row: m.row + 1 };
    if (pos < m.row + m.row_span) return { ...m, row_span: m.row_span + 1 };
    return { ...m };
  });
  return shiftMarks({ ...s, rows, merges }, 'row', pos, 1);
}

/** Insert an empty column so that it has index `at` (0 … cols). */
export function insertColumn(s: Sheet, at: number): Sheet {
  const { cols } = sheetSize(s);
  const pos = Math.max(0, Math.min(at, cols));
  const rows = s.rows.map((r) => {
    const padded = r.length < cols ? [...r, ...new Array<SheetValue>(cols - r.length).fill(null)] : r;
    return [...padded.slice(0, pos), null, ...padded.slice(pos)];
  });
  const merges = s.merges.map((m) => {
    if (m.col >= pos) return { ...m, col: m.col + 1 };
    if (pos < m.col + m.col_span) return { ...m, col_span: m.col_span + 1 };
    return { ...m };
  });
  return shiftMarks({ ...s, rows: rows.length ? rows : [[null]], merges }, 'col', pos, 1);
}

/** Delete row `at`; refuses (returns the sheet unchanged) to delete the last row. */
export function deleteRow(s: Sheet, at: number): Sheet {
  if (s.rows.length <= 1 || at < 0 || at >= s.rows.length) return s;
  const rows = s.rows.map((r) => r.slice());
  // A merge whose top row goes keeps its value: move it to the slot that becomes the top-left.
  for (const m of s.merges) {
    if (m.row === at && m.row_span > 1 && rows[at + 1][m.col] === null) rows[at + 1][m.col] = rows[at][m.col];
  }
  rows.splice(at, 1);
  const merges = s.merges
    .map((m): SheetMerge => {
      if (m.row > at) return { ...m, row: m.row - 1 };
      if (at < m.row + m.row_span) return { ...m, row_span: m.row_span - 1 };
      return { ...m };
    })
    .filter((m) => m.row_span >= 1 && keepReal(m));
  return shiftMarks({ ...s, rows, merges }, 'row', at, -1);
}

/** Delete column `at`; refuses (returns the sheet unchanged) to delete the last column. */
export function deleteColumn(s: Sheet, at: number): Sheet {
  const { cols } = sheetSize(s);
  if (cols <= 1 || at < 0 || at >= cols) return s;
  const rows = s.rows.map((r) => {
    const c = r.length < cols ? [...r, ...new Array<SheetValue>(cols - r.length).fill(null)] : r.slice();
    return c;
  });
  for (const m of s.merges) {
    if (m.col === at && m.col_span > 1) {
      for (let r = m.row; r < m.row + m.row_span; r++) if (rows[r][at + 1] === null) rows[r][at + 1] = rows[r][at];
    }
  }
  for (const r of rows) r.splice(at, 1);
  const merges = s.merges
    .map((m): SheetMerge => {
      if (m.col > at) return { ...m, col: m.col - 1 };
      if (at < m.col + m.col_span) return { ...m, col_span: m.col_span - 1 };
      return { ...m };
    })
    .filter((m) => m.col_span >= 1 && keepReal(m));
  return shiftMarks({ ...s, rows, merges }, 'col', at, -1);
}

/** Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(i: number): string {
  let n = i + 1;
  let name = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    name = String.fromCharCode(65 + rem) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

/** Deep equality of two sheet lists (for "unsaved changes"). */
export function sameSheets(a: readonly Sheet[], b: readonly Sheet[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
