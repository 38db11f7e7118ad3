/**
 * Compact the column (and row) lines of a table built from sections with different layouts.
 *
 * A form often stacks sections whose vertical rules do not line up: "4. indicators" has its rules at
 * x = 137, 231, 321, …, "5. payments" at x = 358, 436, 488, …. Taking every distinct x as a column
 * turns a 12-column form into 24 sliver columns in which nearly every cell is a merge. Two grid
 * lines that are never both used in the same row can instead share one column index: the cells keep
 * their order and their neighbours, and the table needs only as many columns as its busiest section
 * — the structure a person typing the form into a spreadsheet would choose, and the one table
 * recognisers such as PP-Structure output. Lines are grouped with their nearest compatible
 * neighbour first, so a merged column stays close to where both sections draw it.
 */

export interface SpanCell {
  row: number;
  col: number;
  row_span: number;
  col_span: number;
}

/**
 * New index for each of the `n + 1` grid lines (0..n) of one axis. `uses[k]` lists, for each row
 * (or column, for the other axis), the grid lines its cells start or end at.
 */
export function compactLines(n: number, uses: readonly number[][], pos?: readonly number[]): number[] {
  // conflict[a][b]: lines a and b both bound cells of one row.
  const conflict = Array.from({ length: n + 1 }, () => new Uint8Array(n + 1));
  for (const u of uses) for (const a of u) for (const b of u) conflict[a][b] = 1;
  // Groups are contiguous runs of lines; start with one group per line.
  let groups: number[][] = Array.from({ length: n + 1 }, (_, i) => [i]);
  const compatible = (g: number[], h: number[]) => g.every((a) => h.every((b) => !conflict[a][b]));
  const at = (i: number) => (pos ? pos[i] : i);
  for (;;) {
    let best = -1, bestGap = Infinity;
    for (let i = 0; i + 1 < groups.length; i++) {
      const g = groups[i], h = groups[i + 1];
      if (!compatible(g, h)) continue;
      const gap = at(h[0]) - at(g[g.length - 1]);
      if (gap < bestGap) { bestGap = gap; best = i; }
    }
    if (best < 0) break;
    groups = [...groups.slice(0, best), [...groups[best], ...groups[best + 1]], ...groups.slice(best + 2)];
  }
  const idx = new Array<number>(n + 1);
  groups.forEach((g, k) => g.forEach((i) => (idx[i] = k)));
  return idx;
}

/** Compact columns and rows of `cells` (an n_rows × n_cols grid); returns the new sizes and cells. */
export function compactGrid<T extends SpanCell>(nRows: number, nCols: number, cells: readonly T[], colPos?: readonly number[], rowPos?: readonly number[]): { n_rows: number; n_cols: number; cells: T[] } {
  const colUses: number[][] = Array.from({ length: nRows }, () => []);
  const rowUses: number[][] = Array.from({ length: nCols }, () => []);
  for (const c of cells) {
    for (let r = c.row; r < c.row + c.row_span; r++) colUses[r].push(c.col, c.col + c.col_span);
    for (let k = c.col; k < c.col + c.col_span; k++) rowUses[k].push(c.row, c.row + c.row_span);
  }
  const ci = compactLines(nCols, colUses.map((u) => [...new Set(u)]), colPos);
  const ri = compactLines(nRows, rowUses.map((u) => [...new Set(u)]), rowPos);
  const out = cells.map((c) => ({
    ...c,
    row: ri[c.row],
    col: ci[c.col],
    row_span: ri[c.row + c.row_span] - ri[c.row],
    col_span: ci[c.col + c.col_span] - ci[c.col],
  }));
  return { n_rows: ri[nRows], n_cols: ci[nCols], cells: out };
}

