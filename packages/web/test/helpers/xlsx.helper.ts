/** Reading a downloaded workbook back with exceljs, in the coordinates of the sheets JSON. */
import ExcelJS from 'exceljs';

export async function readXlsx(buf: Buffer | string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  if (typeof buf === 'string') await wb.xlsx.readFile(buf);
  else await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

export function colName(i: number): string {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A sheet merge as Excel names its range (`B3:D4`). */
export const rangeOf = (m: { row: number; col: number; row_span: number; col_span: number }) =>
  `${colName(m.col)}${m.row + 1}:${colName(m.col + m.col_span - 1)}${m.row + m.row_span}`;
export const mergesOf = (ws: ExcelJS.Worksheet) => new Set((ws.model as unknown as { merges: string[] }).merges);
/** The text of a cell by 0-based row and column. */
/** A cell's text; '' for an empty one, also inside a merged range whose top-left is empty (exceljs's own `text` throws there). */
export const textAt = (ws: ExcelJS.Worksheet, r: number, c: number) => {
  const cell = ws.getRow(r + 1).getCell(c + 1);
  const value = cell.isMerged ? cell.master.value : cell.value;
  return value === null || value === undefined ? '' : cell.text;
};
