/**
 * Numeric checks of tables: per numeric column count, sum, min and max over the body rows, and the
 * totals that do not add up — a total row (`合计`, `费用合计`, `TOTAL`, `小计`) against the column above
 * it, and a total column against the other numbers of its row.
 *
 * Report tables are often several tables in one grid, separated by full-width rows (a section title,
 * a paragraph): each section gets its own header rows, body rows and statistics.
 *
 * A total column is only checked when most of its rows agree with one rule (sum of the other
 * numeric cells, or product of two of them as in qty × price): a column named "total" that means
 * something else would otherwise flag every row. A stated total that equals the sum of the
 * neighbouring column is a cell the table structure put one column off, not a wrong total.
 */
import type { OcrDocument, Table } from '@ocrflow/core';
import { tableToGrid } from '@ocrflow/core';
import type { ColumnStats, TableAnalysis, TableMismatch } from './analysis.schema.ts';
import { parseAmount } from './normalize.amount.ts';

const TOTAL_LABEL =
  /合\s*计|合\s*計|总\s*计|總\s*計|小\s*计|小\s*計|共\s*计|累\s*计|总\s*额|^\s*(GRAND\s*)?TOTAL\b|^\s*SUB-?\s*TOTAL\b|^\s*SUM\b|^\s*JUMLAH\b|\bTOTAL\s*[:：]?\s*$/i;
const SUBTOTAL_LABEL = /小\s*计|小\s*計|SUB-?\s*TOTAL/i;

// Cents must add up exactly; half a cent covers a qty × price rounded to two decimals.
const agree = (a: number, b: number) => Math.abs(a - b) <= 0.0051 + 1e-9 * Math.abs(b);
const r2 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The number a cell holds, or null (text, identifiers with leading zeros, very long digit runs). */
export function cellNumber(text: string): number | null {
  const t = text.trim();
  if (!t || /^0\d{3,}$/.test(t) || t.replace(/\D/g, '').length > 15) return null;
  const a = parseAmount(t.replace(/\s*%$/, ''));
  return a ? a.value : null;
}

interface Grid {
  t: Table;
  grid: ReturnType<typeof tableToGrid>;
  /** Text at owner slots, '' elsewhere. */
  text: string[][];
  nums: (number | null)[][];
}

/** A short label cell announcing a total row. */
function totalLabel(g: Grid, r: number): string | null {
  for (let c = 0; c < g.t.n_cols; c++) {
    const s = g.text[r][c];
    if (s && g.nums[r][c] === null && s.length <= 24 && TOTAL_LABEL.test(s)) return s.trim();
  }
  return null;
}

/** Full-width rows (one cell across at least half the columns, no number) split the grid into sections. */
function sections(g: Grid): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let r = 0; r < g.t.n_rows; r++) {
    const owners = g.grid[r].filter((s) => s?.owner && s.cell.text.trim());
    const isBreak = owners.length === 1 && owners[0]!.cell.col_span >= g.t.n_cols / 2 && cellNumber(owners[0]!.cell.text) === null;
    if (isBreak) {
      if (r > start) out.push([start, r - 1]);
      start = r + 1;
    }
  }
  if (start < g.t.n_rows) out.push([start, g.t.n_rows - 1]);
  return out;
}

function analyseSection(g: Grid, [from, to]: [number, number]): { columns: ColumnStats[]; totalRows: number[]; mismatches: TableMismatch[] } {
  const { t, grid, text, nums } = g;
  const rowsIn = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const numeric = (r: number) => nums[r].some((v) => v !== null);
  // Header rows: marked as such, or the leading rows without numbers.
  let bodyStart = from;
  while (bodyStart <= to && (grid[bodyStart].some((s) => s?.owner && s.cell.header) || !numeric(bodyStart))) bodyStart++;
  const headerRows = rowsIn.filter((r) => r < bodyStart);
  const totalRows = rowsIn.filter((r) => r >= bodyStart && totalLabel(g, r));
  const body = rowsIn.filter((r) => r >= bodyStart && !totalRows.includes(r));

  const header = (c: number): string | null => {
    const parts: string[] = [];
    for (const r of headerRows) {
      const s = grid[r][c]?.cell.text.trim();
      if (s && parts[parts.length - 1] !== s) parts.push(s);
    }
    return parts.length ? parts.join(' ') : null;
  };

  const numericCols: number[] = [];
  const columns: ColumnStats[] = [];
  for (let c = 0; c < t.n_cols; c++) {
    const filled = body.filter((r) => text[r][c].trim());
    const vals = filled.map((r) => nums[r][c]).filter((v): v is number => v !== null);
    if (!vals.length || vals.length < filled.length / 2) continue;
    numericCols.push(c);
    columns.push({
      col: c,
      header: header(c),
      rows: [body[0], body[body.length - 1]],
      count: vals.length,
      sum: r2(vals.reduce((a, b) => a + b, 0)),
      min: Math.min(...vals),
      max: Math.max(...vals),
    });
  }

  const mismatches: TableMismatch[] = [];
  const colSum = (rs: number[], c: number) => rs.reduce((a, r) => a + (nums[r][c] ?? 0), 0);
  let sectionStart = bodyStart;
  for (const tr of totalRows) {
    const label = totalLabel(g, tr);
    const part = body.filter((r) => r >= sectionStart && r < tr);
    const all = body.filter((r) => r < tr);
    const subs = totalRows.filter((r) => r < tr && SUBTOTAL_LABEL.test(totalLabel(g, r) ?? ''));
    for (let c = 0; c < t.n_cols; c++) {
      const stated = nums[tr][c];
      const slot = grid[tr][c];
      if (stated === null || !slot?.owner) continue;
      // A merged total cell stands for every column it covers.
      const covered = Array.from({ length: slot.cell.col_span }, (_, i) => c + i).filter((k) => body.some((r) => nums[r][k] !== null));
      if (!covered.length) continue;
      const options = covered.flatMap((k) => [colSum(part, k), colSum(all, k), ...(subs.length && !SUBTOTAL_LABEL.test(label ?? '') ? [colSum(subs, k)] : [])]);
      if (options.some((o) => agree(stated, o))) continue;
      const neighbours = [covered[0] - 1, covered[covered.length - 1] + 1].filter((k) => k >= 0 && k < t.n_cols && numericCols.includes(k));
      if (neighbours.some((k) => agree(stated, colSum(part, k)) || agree(stated, colSum(all, k)))) continue;
      mismatches.push({ kind: 'column', row: tr, col: c, stated, computed: r2(colSum(part, covered[0])), label });
    }
    sectionStart = tr + 1;
  }

  // Total columns against their rows.
  for (const c of numericCols) {
    const h = header(c);
    if (!h || !TOTAL_LABEL.test(h)) continue;
    const others = numericCols.filter((o) => o !== c);
    const rows = body.filter((r) => nums[r][c] !== null);
    if (!others.length || rows.length < 2) continue;
    type Rule = (r: number) => number | null;
    const rules: Rule[] = [(r) => others.reduce((a, o) => a + (nums[r][o] ?? 0), 0)];
    for (let i = 0; i < others.length; i++)
      for (let j = i + 1; j < others.length; j++) {
        const [a, b] = [others[i], others[j]];
        rules.push((r) => (nums[r][a] !== null && nums[r][b] !== null ? nums[r][a]! * nums[r][b]! : null));
      }
    let chosen: Rule | null = null;
    let bestRate = 0;
    for (const rule of rules) {
      const ok = rows.filter((r) => {
        const v = rule(r);
        return v !== null && agree(nums[r][c]!, v);
      }).length;
      if (ok / rows.length > bestRate) {
        bestRate = ok / rows.length;
        chosen = rule;
      }
    }
    if (!chosen || bestRate < 0.5) continue;
    for (const r of rows) {
      const v = chosen(r);
      if (v !== null && !agree(nums[r][c]!, v)) mismatches.push({ kind: 'row', row: r, col: c, stated: nums[r][c]!, computed: r2(v), label: h });
    }
  }
  return { columns, totalRows, mismatches };
}

export function analyseTable(t: Table, page: number, blockId: string): TableAnalysis {
  const grid = tableToGrid(t);
  const text = grid.map((row) => row.map((s) => (s && s.owner ? s.cell.text : '')));
  const g: Grid = { t, grid, text, nums: text.map((row) => row.map(cellNumber)) };
  const out: TableAnalysis = { page, block_id: blockId, n_rows: t.n_rows, n_cols: t.n_cols, columns: [], total_rows: [], mismatches: [] };
  for (const s of sections(g)) {
    const r = analyseSection(g, s);
    out.columns.push(...r.columns);
    out.total_rows.push(...r.totalRows);
    out.mismatches.push(...r.mismatches);
  }
  return out;
}

export function analyseTables(doc: OcrDocument): TableAnalysis[] {
  const out: TableAnalysis[] = [];
  for (const p of doc.pages) for (const b of p.blocks) if (b.type === 'table') out.push(analyseTable(b.table, p.index, b.id));
  return out;
}
