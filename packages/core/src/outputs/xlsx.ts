/**
 * XLSX workbooks with exceljs: one worksheet per sheet (see sheets.ts), merges kept, numbers stored
 * as numbers with a format that shows them as they were printed, identifiers kept as text, the first
 * row styled as a header, column widths fitted to the content, text wrapped.
 */
// exceljs is loaded on first use: @ocrflow/core is imported by every process (CLI start-up, the
// API, the SDK's types) and most of them never write a workbook.
import type ExcelJS from 'exceljs';
import type { OcrDocument } from '../model.ts';
import { documentToSheets, validateSheets, type Sheet, type SheetValue } from './sheets.ts';

export interface ParsedValue {
  value: string | number | Date;
  /** Excel number format, when the value is a number or date shown a particular way. */
  numFmt?: string;
}

const CURRENCY = /^(RM|US\$|HK\$|NT\$|S\$|A\$|C\$|R\$|\$|¥|￥|€|£|₩|₹|CNY|USD|EUR|GBP|MYR|SGD|RMB)\s?/i;

function decimalsFormat(int: string, decimals: number, thousands: boolean): string {
  return (thousands ? '#,##0' : int) + (decimals > 0 ? '.' + '0'.repeat(decimals) : '');
}

/**
 * A cell's text as Excel should store it. Numbers become numbers: `1,234.50` (thousands
 * separators), `99.11%` (→ 0.9911 with a percent format), `(12.00)` and `-12` (negative), `RM 12.50`
 * (currency prefix kept in the format). Everything that merely looks numeric stays text, because
 * converting it would change it: leading zeros (`007`), more than 15 digits (Excel keeps 15),
 * phone numbers, ranges, versions and dates such as `25.4.26` or `2025年4月26日`. Only ISO dates
 * (`2025-04-26`, unambiguous) become dates.
 */
export function parseCellValue(raw: string): ParsedValue {
  const s = raw
    .normalize('NFKC')
    .trim()
    .replace(/[\u2212\u2012\u2013]/g, '-');
  if (!s) return { value: raw };
  const iso = /^(\d{4})[-/](\d{2})[-/](\d{2})$/.exec(s);
  if (iso) {
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (m >= 1 && m <= 12 && date.getUTCDate() === d && y >= 1900) return { value: date, numFmt: 'yyyy-mm-dd' };
    return { value: raw };
  }
  // sign and currency in any of the usual orders: "-12", "(12.00)", "RM 12.50", "RM -12.50", "-$5"
  let body = s;
  let negative = false;
  const paren = /^\(.*\)$/.test(body);
  if (paren) body = body.slice(1, -1).trim();
  const sign = () => {
    if (/^[-+]/.test(body)) {
      if (body[0] === '-') negative = !negative;
      body = body.slice(1).trim();
    }
  };
  sign();
  let currency = '';
  const cm = CURRENCY.exec(body);
  if (cm) {
    currency = cm[1];
    body = body.slice(cm[0].length);
    sign();
  }
  if (paren) negative = !negative;
  let percent = false;
  if (body.endsWith('%')) {
    percent = true;
    body = body.slice(0, -1).trimEnd();
  }
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(body) ?? /^()\.(\d+)$/.exec(body);
  if (!m) return { value: raw };
  const intPart = m[1].replace(/,/g, '');
  const decimals = m[2]?.length ?? 0;
  const digits = intPart.length + decimals;
  if (digits > 15) return { value: raw };
  // identifiers: leading zeros ("007", "0123"), Chinese mobile numbers, long plain integers
  if (/^0\d/.test(intPart)) return { value: raw };
  if (!decimals && !percent && !currency && /^1[3-9]\d{9}$/.test(intPart) && !m[1].includes(',')) return { value: raw };
  let n = Number(`${intPart || '0'}.${m[2] ?? '0'}`);
  if (!Number.isFinite(n)) return { value: raw };
  if (percent) n = Number((n / 100).toPrecision(15));
  if (negative) n = -n;
  const thousands = m[1].includes(',');
  let fmt: string | undefined;
  if (percent) fmt = '0' + (decimals > 0 ? '.' + '0'.repeat(decimals) : '') + '%';
  else if (thousands || decimals > 0 || currency || paren) fmt = decimalsFormat('0', decimals, thousands || !!currency);
  if (fmt && currency) fmt = `"${currency.replace(/"/g, '')}"${/^[A-Z]/i.test(currency) ? ' ' : ''}${fmt}`;
  if (fmt && paren) fmt = `${fmt};(${fmt})`;
  return fmt ? { value: n, numFmt: fmt } : { value: n };
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Display width in Excel character units: CJK and full-width characters count double. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

function displayOf(v: SheetValue): string {
  return v === null ? '' : String(v);
}

/** Column widths (characters) from single-column cells; wrapped text caps a column at 60. */
function columnWidths(sheet: Sheet): number[] {
  const width = sheet.rows.reduce((w, r) => Math.max(w, r.length), 0);
  const covered = new Set<string>();
  for (const m of sheet.merges)
    if (m.col_span > 1) for (let r = m.row; r < m.row + m.row_span; r++) for (let c = m.col; c < m.col + m.col_span; c++) covered.add(`${r},${c}`);
  const out: number[] = [];
  for (let c = 0; c < width; c++) {
    let w = 0;
    sheet.rows.forEach((row, r) => {
      if (covered.has(`${r},${c}`)) return;
      for (const part of displayOf(row[c] ?? null).split('\n')) w = Math.max(w, displayWidth(part));
    });
    out.push(Math.min(60, Math.max(6, w + 2)));
  }
  return out;
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
const THIN: ExcelJS.Border = { style: 'thin', color: { argb: 'FFB0B7C3' } };

/** Write sheets (validated first) to an XLSX file in memory. */
export async function sheetsToXlsx(input: readonly Sheet[]): Promise<Buffer> {
  const sheets = validateSheets(input);
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'ocrflow';
  wb.created = new Date(0); // reproducible bytes for the same sheets
  wb.modified = new Date(0);
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheet.name);
    const widths = columnWidths(sheet);
    ws.columns = widths.map((w) => ({ width: w }));
    const covered = new Set<string>();
    for (const m of sheet.merges)
      for (let r = m.row; r < m.row + m.row_span; r++)
        for (let c = m.col; c < m.col + m.col_span; c++) if (r !== m.row || c !== m.col) covered.add(`${r},${c}`);
    sheet.rows.forEach((row, r) => {
      const xr = ws.getRow(r + 1);
      row.forEach((v, c) => {
        if (v === null || covered.has(`${r},${c}`)) return;
        const cell = xr.getCell(c + 1);
        if (typeof v === 'number') cell.value = v;
        else {
          const p = parseCellValue(v);
          cell.value = p.value;
          if (p.numFmt) cell.numFmt = p.numFmt;
        }
      });
    });
    for (const m of sheet.merges) ws.mergeCells(m.row + 1, m.col + 1, m.row + m.row_span, m.col + m.col_span);
    // Styles after merging, so every slot of a merged header cell carries them.
    const nCols = widths.length;
    for (let r = 1; r <= sheet.rows.length; r++) {
      const xr = ws.getRow(r);
      for (let c = 1; c <= nCols; c++) {
        const cell = xr.getCell(c);
        cell.alignment = { wrapText: true, vertical: 'middle', ...(typeof cell.value === 'string' || cell.value === null ? {} : { horizontal: 'right' }) };
        cell.border = { top: THIN, left: THIN, bottom: THIN, right: THIN };
        if (r === 1) {
          cell.font = { bold: true };
          cell.fill = HEADER_FILL;
        }
      }
    }
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}

/** The document's tables as a workbook (the text lines when it has none). */
export function documentToXlsx(doc: OcrDocument): Promise<Buffer> {
  return sheetsToXlsx(documentToSheets(doc));
}
