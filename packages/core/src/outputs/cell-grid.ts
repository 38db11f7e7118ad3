/**
 * The cell grid: sheets in the shape the image-to-Excel app's clients read and send back
 * (`/api/v1/table/data`, `/api/v1/table/save`). Each sheet is its full grid of cells
 * `{text, rowspan, colspan, is_header}`: a merged cell appears once, at its top-left position, with
 * its spans; every position it covers is present too, as a cell with empty text and span 1.
 *
 * Both directions are pure functions of the one sheet model (`Sheet`: values plus a merge list),
 * so a grid read and sent back unchanged rebuilds exactly the same merges — covered positions never
 * become cells of their own over a merge. Text a client put into a covered position would be lost
 * by the merge, so it is refused (422) instead of being dropped.
 */
import { OcrflowError } from '../errors.ts';
import { SHEET_LIMITS, validateSheets, type Sheet, type SheetMerge, type SheetValue } from './sheets.ts';

export interface GridCell {
  text: string;
  rowspan: number;
  colspan: number;
  /** The first row: the workbook writer styles it as the header row. */
  is_header: boolean;
}

export interface GridSheet {
  /** 1-based position of the sheet in the workbook. */
  sheet_id: number;
  sheet_name: string;
  rows: number;
  cols: number;
  data: GridCell[][];
}

const text = (v: SheetValue): string => (v === null ? '' : String(v));

/** One sheet as its full cell grid. */
export function sheetToGrid(sheet: Sheet, index: number): GridSheet {
  const rows = sheet.rows.length;
  const cols = sheet.rows.reduce((w, r) => Math.max(w, r.length), 0);
  const owners = new Map<number, SheetMerge>();
  const covered = new Set<number>();
  for (const m of sheet.merges) {
    owners.set(m.row * cols + m.col, m);
    for (let r = m.row; r < m.row + m.row_span; r++) for (let c = m.col; c < m.col + m.col_span; c++) if (r !== m.row || c !== m.col) covered.add(r * cols + c);
  }
  const data = sheet.rows.map((row, r) =>
    Array.from({ length: cols }, (_, c): GridCell => {
      const k = r * cols + c;
      const m = owners.get(k);
      if (covered.has(k)) return { text: '', rowspan: 1, colspan: 1, is_header: r === 0 };
      return { text: text(row[c] ?? null), rowspan: m?.row_span ?? 1, colspan: m?.col_span ?? 1, is_header: r === 0 };
    }),
  );
  return { sheet_id: index + 1, sheet_name: sheet.name, rows, cols, data };
}

export function sheetsToGrid(sheets: readonly Sheet[]): GridSheet[] {
  return sheets.map(sheetToGrid);
}

function fail(message: string): never {
  throw new OcrflowError('OCRFLOW_ERR_INVALID_SHEETS', message);
}

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/**
 * Grids sent by a client back to sheets (values plus merges), then `validateSheets`. Throws
 * OCRFLOW_ERR_INVALID_SHEETS naming the sheet, row and column that is wrong: a grid that is not
 * rectangular, `rows`/`cols` that disagree with `data`, a span that is not a whole number ≥ 1 or
 * reaches outside the grid, merged cells that overlap, or text in a position a merge covers.
 */
export function gridToSheets(input: unknown): Sheet[] {
  if (!Array.isArray(input)) fail('sheets must be an array of sheets');
  if (input.length > SHEET_LIMITS.sheets) fail(`Too many sheets: ${input.length} (at most ${SHEET_LIMITS.sheets})`);
  const sheets = input.map((raw: unknown, si): Sheet => {
    const where = `Sheet ${si + 1}`;
    if (!isObject(raw)) fail(`${where} is not an object {sheet_id, sheet_name, rows, cols, data}`);
    if (typeof raw.sheet_name !== 'string') fail(`${where}: sheet_name must be text`);
    const name = raw.sheet_name;
    const at = `${where} ("${name}")`;
    const data = raw.data;
    if (!Array.isArray(data)) fail(`${at}: data must be an array of rows of cells`);
    if (data.length > SHEET_LIMITS.rows) fail(`${at}: ${data.length} rows (at most ${SHEET_LIMITS.rows})`);
    const width = Array.isArray(data[0]) ? data[0].length : 0;
    data.forEach((row: unknown, r) => {
      if (!Array.isArray(row)) fail(`${at}, row ${r + 1}: not an array of cells`);
      if (row.length > SHEET_LIMITS.cols) fail(`${at}, row ${r + 1}: ${row.length} columns (at most ${SHEET_LIMITS.cols})`);
      if (row.length !== width)
        fail(
          `${at}, row ${r + 1}: ${row.length} cells where row 1 has ${width}; data must be the full grid (a merged cell's covered positions included, as empty cells)`,
        );
    });
    if (raw.rows !== undefined && raw.rows !== data.length) fail(`${at}: rows is ${JSON.stringify(raw.rows)} but data has ${data.length} rows`);
    if (raw.cols !== undefined && raw.cols !== width) fail(`${at}: cols is ${JSON.stringify(raw.cols)} but the rows of data have ${width} cells`);

    /** Position → the merge covering it (top-left excluded). */
    const covered = new Map<number, SheetMerge>();
    const merges: SheetMerge[] = [];
    const rows = (data as unknown[][]).map((row, r) =>
      row.map((cell, c): SheetValue => {
        const here = `${at}, row ${r + 1}, column ${c + 1}`;
        if (!isObject(cell)) fail(`${here}: expected a cell {text, rowspan, colspan, is_header}`);
        const t = cell.text;
        let value: SheetValue;
        if (t === undefined || t === null || t === '') value = null;
        else if (typeof t === 'string') value = t;
        else if (typeof t === 'number' && Number.isFinite(t)) value = t;
        else fail(`${here}: text must be a string`);
        const rowspan = cell.rowspan ?? 1;
        const colspan = cell.colspan ?? 1;
        if (!Number.isInteger(rowspan) || !Number.isInteger(colspan) || (rowspan as number) < 1 || (colspan as number) < 1)
          fail(`${here}: rowspan and colspan must be whole numbers ≥ 1`);
        if (cell.is_header !== undefined && typeof cell.is_header !== 'boolean') fail(`${here}: is_header must be true or false`);
        const rs = rowspan as number;
        const cs = colspan as number;
        const owner = covered.get(r * width + c);
        if (owner) {
          const of = `the merged cell at row ${owner.row + 1}, column ${owner.col + 1} (rowspan ${owner.row_span}, colspan ${owner.col_span})`;
          if (rs > 1 || cs > 1) fail(`${here}: a merged cell (rowspan ${rs}, colspan ${cs}) starts inside ${of}`);
          if (value !== null)
            fail(`${here} is covered by ${of} but holds ${quote(String(value))}; covered positions must be empty (edit the merged cell's own text instead)`);
          return null;
        }
        if (rs > 1 || cs > 1) {
          if (r + rs > data.length || c + cs > width)
            fail(`${here}: the merged cell (rowspan ${rs}, colspan ${cs}) reaches outside the grid (${data.length} rows × ${width} columns)`);
          const m: SheetMerge = { row: r, col: c, row_span: rs, col_span: cs };
          for (let rr = r; rr < r + rs; rr++) {
            for (let cc = c; cc < c + cs; cc++) {
              if (rr === r && cc === c) continue;
              const other = covered.get(rr * width + cc);
              if (other)
                fail(
                  `${here}: the merged cell (rowspan ${rs}, colspan ${cs}) overlaps the merged cell at row ${other.row + 1}, column ${other.col + 1} at row ${rr + 1}, column ${cc + 1}`,
                );
              covered.set(rr * width + cc, m);
            }
          }
          merges.push(m);
        }
        return value;
      }),
    );
    return { name, rows, merges };
  });
  return validateSheets(sheets);
}
