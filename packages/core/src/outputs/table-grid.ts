/** Helpers that turn the span-aware table model into grids (for HTML, Markdown, XLSX, sheets). */
import type { Table, TableCell } from '../model.ts';

/**
 * A dense n_rows x n_cols grid where each slot points at the cell covering it (or null for a hole).
 * Merged cells cover several slots; `owner` is true only at their top-left slot.
 */
export interface GridSlot {
  cell: TableCell;
  owner: boolean;
}

export function tableToGrid(t: Table): (GridSlot | null)[][] {
  const grid: (GridSlot | null)[][] = Array.from({ length: t.n_rows }, () => Array<GridSlot | null>(t.n_cols).fill(null));
  for (const cell of t.cells) {
    for (let r = cell.row; r < Math.min(t.n_rows, cell.row + cell.row_span); r++) {
      for (let c = cell.col; c < Math.min(t.n_cols, cell.col + cell.col_span); c++) {
        if (!grid[r][c]) grid[r][c] = { cell, owner: r === cell.row && c === cell.col };
      }
    }
  }
  return grid;
}

/** Text rows; a merged cell's text appears at its top-left slot and the covered slots are ''. */
export function tableToRows(t: Table): string[][] {
  return tableToGrid(t).map((row) => row.map((s) => (s && s.owner ? s.cell.text : '')));
}

export function tableHasSpans(t: Table): boolean {
  return t.cells.some((c) => c.row_span > 1 || c.col_span > 1);
}

/** Cells in row-major order of their top-left slot. */
export function cellsInOrder(t: Table): TableCell[] {
  return [...t.cells].sort((a, b) => a.row - b.row || a.col - b.col);
}
