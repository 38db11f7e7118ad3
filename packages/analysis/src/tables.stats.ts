/**
 * Numeric checks of tables: per numeric column count, sum, min and max over the body rows, and the
 * totals that do not add up — a total row (`合计`, `TOTAL`, `小计`) against the column above it, and
 * a total column against the other numbers of its row.
 *
 * A total column is only checked when most of its rows agree with one rule (sum of the other
 * numeric cells, or product of two of them as in qty × price): a column named "total" that means
 * something else would otherwise flag every row.
 */
import type { OcrDocument, Table } from '@ocrflow/core';
import { tableToGrid } from '@ocrflow/core';
import type { ColumnStats, TableAnalysis, TableMismatch } from './analysis.schema.ts';
import { parseAmount } from './normalize.amount.ts';

const TOTAL_LABEL = /^\s*(合\s*计|合\s*計|总\s*计|總\s*計|小\s*计|小\s*計|共\s*计|累\s*计|总\s*额|TOTAL|GRAND\s*TOTAL|SUB-?\s*TOTAL|SUM|JUMLAH)\b|^\s*(合计|总计|小计)/i;
const SUBTOTAL_LABEL = /小\s*计|小\s*計|SUB-?\s*TOTAL/i;

const agree = (a: number, b: number) => Math.abs(a - b) <= 0.011 + 1e-6 * Math.abs(b);
const r2 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The number a cell holds, or null (text, identifiers with leading zeros, very long digit runs). */
export function cellNumber(text: string): number | null {
  const t = text.trim();
  if (!t || /^0\d{3,}$/.test(t) || t.replace(/\D/g, '').length > 15) return null;
  const a = parseAmount(t.replace(/%$/, ''));
  return a ? a.value : null;
}

export function analyseTable(t: Table, page: number, blockId: string): TableAnalysis {
  const grid = tableToGrid(t);
  const text = grid.map((row) => row.map((s) => (s && s.owner ? s.cell.text : '')));
  const nums = text.map((row) => row.map(cellNumber));
  const isHeader = (r: number) =>
    grid[r].some((s) => s?.owner && s.cell.header) || (r === 0 && nums[0].every((v) => v === null) && nums.slice(1).some((row) => row.some((v) => v !== null)));
  let headerRows = 0;
  while (headerRows < t.n_rows && isHeader(headerRows)) headerRows++;
  const totalLabel = (r: number): string | null => text[r].find((c, i) => nums[r][i] === null && TOTAL_LABEL.test(c))?.trim() ?? null;
  const totalRows: number[] = [];
  for (let r = headerRows; r < t.n_rows; r++) if (totalLabel(r)) totalRows.push(r);
  const body = Array.from({ length: t.n_rows }, (_, r) => r).filter((r) => r >= headerRows && !totalRows.includes(r));

  const header = (c: number): string | null => {
    const parts = text.slice(0, headerRows).map((row) => row[c]).filter(Boolean);
    // A merged header cell owns only its top-left slot: look left along the row for its owner.
    if (!parts.length && headerRows) {
      const slot = grid[headerRows - 1][c];
      if (slot?.cell.text) return slot.cell.text.trim();
    }
    return parts.length ? parts.join(' ').trim() : null;
  };

  const numericCols: number[] = [];
  const columns: ColumnStats[] = [];
  for (let c = 0; c < t.n_cols; c++) {
    const filled = body.filter((r) => text[r][c].trim());
    const vals = filled.map((r) => nums[r][c]).filter((v): v is number => v !== null);
    if (!vals.length || vals.length < filled.length / 2) continue;
    numericCols.push(c);
    columns.push({ col: c, header: header(c), count: vals.length, sum: r2(vals.reduce((a, b) => a + b, 0)), min: Math.min(...vals), max: Math.max(...vals) });
  }

  const mismatches: TableMismatch[] = [];
  // Total rows against the column above: a subtotal sums its section, a grand total either the
  // whole body or the subtotals.
  let sectionStart = headerRows;
  for (const tr of totalRows) {
    const label = totalLabel(tr);
    const section = body.filter((r) => r >= sectionStart && r < tr);
    const all = body.filter((r) => r < tr);
    const subs = totalRows.filter((r) => r < tr && SUBTOTAL_LABEL.test(totalLabel(r) ?? ''));
    for (const c of numericCols) {
      const stated = nums[tr][c];
      if (stated === null) continue;
      const sum = (rs: number[]) => rs.reduce((a, r) => a + (nums[r][c] ?? 0), 0);
      const options = [sum(section), sum(all), ...(subs.length && !SUBTOTAL_LABEL.test(label ?? '') ? [sum(subs)] : [])];
      if (!section.some((r) => nums[r][c] !== null) && !all.some((r) => nums[r][c] !== null)) continue;
      if (!options.some((o) => agree(stated, o))) mismatches.push({ kind: 'column', row: tr, col: c, stated, computed: r2(options[0]), label });
    }
    sectionStart = tr + 1;
  }

  // Total columns against their rows.
  for (const c of numericCols) {
    const h = header(c);
    if (!h || !TOTAL_LABEL.test(h)) continue;
    const others = numericCols.filter((o) => o !== c);
    if (!others.length) continue;
    const rows = body.filter((r) => nums[r][c] !== null);
    type Rule = { name: string; f: (r: number) => number | null };
    const rules: Rule[] = [{ name: 'sum', f: (r) => others.reduce((a, o) => a + (nums[r][o] ?? 0), 0) }];
    for (let i = 0; i < others.length; i++)
      for (let j = i + 1; j < others.length; j++) {
        const [a, b] = [others[i], others[j]];
        rules.push({ name: 'product', f: (r) => (nums[r][a] !== null && nums[r][b] !== null ? nums[r][a]! * nums[r][b]! : null) });
      }
    let chosen: Rule | null = null;
    let bestRate = 0;
    for (const rule of rules) {
      const ok = rows.filter((r) => {
        const v = rule.f(r);
        return v !== null && agree(nums[r][c]!, v);
      }).length;
      const rate = rows.length ? ok / rows.length : 0;
      if (rate > bestRate) {
        bestRate = rate;
        chosen = rule;
      }
    }
    if (!chosen || bestRate < 0.5 || rows.length < 2) continue;
    for (const r of rows) {
      const v = chosen.f(r);
      if (v !== null && !agree(nums[r][c]!, v)) mismatches.push({ kind: 'row', row: r, col: c, stated: nums[r][c]!, computed: r2(v), label: h });
    }
  }
  return { page, block_id: blockId, n_rows: t.n_rows, n_cols: t.n_cols, columns, total_rows: totalRows, mismatches };
}

export function analyseTables(doc: OcrDocument): TableAnalysis[] {
  const out: TableAnalysis[] = [];
  for (const p of doc.pages) for (const b of p.blocks) if (b.type === 'table') out.push(analyseTable(b.table, p.index, b.id));
  return out;
}
