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

/**
 * Collapse runs of blank columns (and rows) into one. Printed forms carry spare blank columns
 * ("保定 北京 … 大连" then seven empty boxes): they hold no information, and in a spreadsheet they
 * only multiply merges. A grid line goes when, in every row, the cells on its two sides are one
 * spanning cell, or are both empty with the same row extent (so the merged cell is a rectangle).
 * Text cells are never widened.
 */
export function collapseBlankLines<T extends SpanCell & { text: string }>(nRows: number, nCols: number, cells: readonly T[]): { n_rows: number; n_cols: number; cells: T[] } {
  let cur = { n_rows: nRows, n_cols: nCols, cells: [...cells] };
  for (const axis of ['col', 'row'] as const) {
    const n = axis === 'col' ? cur.n_cols : cur.n_rows;
    const m = axis === 'col' ? cur.n_rows : cur.n_cols;
    if (n < 2) continue;
    // owner[k][i]: the cell covering slot (i along the other axis, k along this axis)
    const owner: (T | undefined)[][] = Array.from({ length: n }, () => new Array<T | undefined>(m));
    for (const c of cur.cells) {
      const [a0, a1, b0, b1] = axis === 'col' ? [c.col, c.col + c.col_span, c.row, c.row + c.row_span] : [c.row, c.row + c.row_span, c.col, c.col + c.col_span];
      for (let k = a0; k < a1; k++) for (let i = b0; i < b1; i++) owner[k][i] = c;
    }
    const ext = (c: T) => (axis === 'col' ? [c.row, c.row_span] : [c.col, c.col_span]);
    const removable = (line: number) => {
      if (!cur.cells.some((c) => c.text.trim())) return false; // a blank form keeps its boxes
      for (let i = 0; i < m; i++) {
        const a = owner[line - 1][i], b = owner[line][i];
        if (!a || !b || a === b) continue;
        if (a.text.trim() || b.text.trim()) return false;
        const ea = ext(a), eb = ext(b);
        if (ea[0] !== eb[0] || ea[1] !== eb[1]) return false;
      }
      return true;
    };
    const keep = [0];
    for (let line = 1; line < n; line++) if (!removable(line)) keep.push(line);
    keep.push(n);
    if (keep.length === n + 1) continue;
    // new index of old line L = number of kept lines < L … map slots to the kept line at or before them
    const newIdx = (line: number) => { let k = 0; while (k + 1 < keep.length && keep[k + 1] <= line) k++; return k; };
    const seen = new Map<string, T>();
    for (const c of cur.cells) {
      const [a0, a1] = axis === 'col' ? [c.col, c.col + c.col_span] : [c.row, c.row + c.row_span];
      const s = newIdx(a0), e = newIdx(a1 - 1) + 1;
      const nc = axis === 'col' ? { ...c, col: s, col_span: e - s } : { ...c, row: s, row_span: e - s };
      const key = `${nc.row},${nc.col}`;
      const prev = seen.get(key);
      // merged blank cells collapse into one
      if (!prev || (!prev.text.trim() && nc.text.trim())) seen.set(key, nc);
    }
    cur = axis === 'col' ? { ...cur, n_cols: keep.length - 1, cells: [...seen.values()] } : { ...cur, n_rows: keep.length - 1, cells: [...seen.values()] };
  }
  return cur;
}
