/**
 * Compact the column (and row) lines of a table: grid lines that are one printed rule seen twice
 * become one.
 *
 * A rule is found as several pieces when the page bends or the photo is in perspective: the part in
 * one section of the form and the part in another fit slightly different lines and can be clustered
 * apart, leaving a sliver column that no box of the printed form has. Two grid lines that lie within
 * `maxGap` of each other and are never both used in the same row are such a rule: they share one
 * index. Lines further apart are distinct printed positions and stay distinct columns, even when no
 * row uses both (sections of a form whose rules do not line up): a spreadsheet reproduces every box
 * of the form exactly only with a column boundary at every printed rule position. Nearest pairs
 * merge first.
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
export function compactLines(n: number, uses: readonly number[][], pos?: readonly number[], maxGap = Infinity): number[] {
  // conflict[a][b]: lines a and b both bound cells of one row.
  const conflict = Array.from({ length: n + 1 }, () => new Uint8Array(n + 1));
  for (const u of uses) for (const a of u) for (const b of u) conflict[a][b] = 1;
  // Groups are contiguous runs of lines; start with one group per line.
  let groups: number[][] = Array.from({ length: n + 1 }, (_, i) => [i]);
  const compatible = (g: number[], h: number[]) => g.every((a) => h.every((b) => !conflict[a][b]));
  const at = (i: number) => (pos ? pos[i] : i);
  for (;;) {
    let best = -1,
      bestGap = Infinity;
    for (let i = 0; i + 1 < groups.length; i++) {
      const g = groups[i],
        h = groups[i + 1];
      if (!compatible(g, h)) continue;
      const gap = at(h[0]) - at(g[g.length - 1]);
      if (gap <= maxGap && gap < bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    if (best < 0) break;
    groups = [...groups.slice(0, best), [...groups[best], ...groups[best + 1]], ...groups.slice(best + 2)];
  }
  const idx = new Array<number>(n + 1);
  groups.forEach((g, k) => g.forEach((i) => (idx[i] = k)));
  return idx;
}

/**
 * Compact columns and rows of `cells` (an n_rows × n_cols grid); returns the new sizes and cells.
 * Without `maxGap` every compatible pair of lines may merge (the busiest section sets the width).
 */
export function compactGrid<T extends SpanCell>(
  nRows: number,
  nCols: number,
  cells: readonly T[],
  colPos?: readonly number[],
  rowPos?: readonly number[],
  maxGap = Infinity,
): { n_rows: number; n_cols: number; cells: T[] } {
  const colUses: number[][] = Array.from({ length: nRows }, () => []);
  const rowUses: number[][] = Array.from({ length: nCols }, () => []);
  for (const c of cells) {
    for (let r = c.row; r < c.row + c.row_span; r++) colUses[r].push(c.col, c.col + c.col_span);
    for (let k = c.col; k < c.col + c.col_span; k++) rowUses[k].push(c.row, c.row + c.row_span);
  }
  const ci = compactLines(
    nCols,
    colUses.map((u) => [...new Set(u)]),
    colPos,
    maxGap,
  );
  const ri = compactLines(
    nRows,
    rowUses.map((u) => [...new Set(u)]),
    rowPos,
    maxGap,
  );
  const out = cells.map((c) => ({
    ...c,
    row: ri[c.row],
    col: ci[c.col],
    row_span: ri[c.row + c.row_span] - ri[c.row],
    col_span: ci[c.col + c.col_span] - ci[c.col],
  }));
  return { n_rows: ri[nRows], n_cols: ci[nCols], cells: out };
}
