/**
 * Reading order by recursive XY-cut over line boxes:
 * - a region splits into columns where a vertical band of white space runs through all of it and
 *   both sides look like text columns (wide enough to hold prose, not a narrow column of prices
 *   that belongs to the rows beside it);
 * - otherwise it splits at its widest horizontal gap, top part first;
 * - a region with neither is a row: its lines are read left to right.
 * Consecutive rows of one column with line spacing between them form a block (paragraph).
 */
import type { BBox } from '@ocrflow/core';
import { overlapRatio } from '@ocrflow/core';

export interface Boxed {
  bbox: BBox;
}

export interface OrderOptions {
  /** A column gap is at least this many median line heights wide. */
  columnGapLines: number;
  /** Each side of a column cut is at least this share of the region width. */
  minColumnShare: number;
  /** Rows further apart than this many line heights start a new block. */
  blockGapLines: number;
}

export const DEFAULT_ORDER_OPTIONS: OrderOptions = { columnGapLines: 1.5, minColumnShare: 0.25, blockGapLines: 0.8 };

export interface OrderedRow<T extends Boxed> {
  items: T[];
  /** Which column (path of vertical cuts) the row belongs to. */
  column: string;
}

function medianHeight(items: readonly Boxed[]): number {
  const hs = items
    .map((i) => i.bbox[3] - i.bbox[1])
    .filter((h) => h > 0)
    .sort((a, b) => a - b);
  return hs.length ? hs[hs.length >> 1] : 1;
}

/** Gaps in the union of intervals: [end of previous, start of next] pairs, in order. */
function gaps(intervals: [number, number][]): [number, number][] {
  const s = intervals.slice().sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let end = -Infinity;
  for (const [a, b] of s) {
    if (end !== -Infinity && a > end) out.push([end, a]);
    end = Math.max(end, b);
  }
  return out;
}

function extent<T extends Boxed>(items: readonly T[]): BBox {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const { bbox: b } of items) {
    x0 = Math.min(x0, b[0]);
    y0 = Math.min(y0, b[1]);
    x1 = Math.max(x1, b[2]);
    y1 = Math.max(y1, b[3]);
  }
  return [x0, y0, x1, y1];
}

/**
 * Lines that overlap vertically by at least half the shorter one share a row. Boxes are shrunk a
 * little first: unclipped detector boxes of adjacent rows touch.
 */
export function groupRows<T extends Boxed>(items: readonly T[]): T[][] {
  const sorted = items.slice().sort((a, b) => a.bbox[1] + a.bbox[3] - (b.bbox[1] + b.bbox[3]));
  const rows: { items: T[]; y0: number; y1: number }[] = [];
  for (const it of sorted) {
    const [, y0, , y1] = it.bbox;
    let best: (typeof rows)[number] | null = null,
      bestOv = 0;
    for (const r of rows.slice(-3)) {
      const ov = overlapRatio(r.y0, r.y1, y0, y1);
      if (ov > bestOv) {
        bestOv = ov;
        best = r;
      }
    }
    if (best && bestOv >= 0.5) {
      best.items.push(it);
      // Keep the row's band to its core so a tall neighbour does not swallow the next row.
      best.y0 = (best.y0 * (best.items.length - 1) + y0) / best.items.length;
      best.y1 = (best.y1 * (best.items.length - 1) + y1) / best.items.length;
    } else rows.push({ items: [it], y0, y1 });
  }
  return rows.map((r) => r.items.sort((a, b) => a.bbox[0] - b.bbox[0]));
}

/**
 * Two sides of a vertical white band are separate columns only when both are wide enough for
 * prose, hold several rows, and their rows do not line up one to one. Rows that do line up are a
 * form or a table ("Station: CASHIER   C/N No: LCN00211") and are read across, row by row — unless
 * both sides are long runs of prose lines, as in a two-column article.
 */
function isColumnCut<T extends Boxed>(left: T[], right: T[], lw: number, rw: number, width: number, opts: OrderOptions): boolean {
  if (lw < opts.minColumnShare * width || rw < opts.minColumnShare * width) return false;
  const lRows = groupRows(left),
    rRows = groupRows(right);
  if (lRows.length < 3 || rRows.length < 3) return false;
  const band = (r: T[]) => [Math.min(...r.map((i) => i.bbox[1])), Math.max(...r.map((i) => i.bbox[3]))] as const;
  const rb = rRows.map(band);
  let aligned = 0;
  for (const l of lRows) {
    const [a0, a1] = band(l);
    if (rb.some(([b0, b1]) => overlapRatio(a0, a1, b0, b1) >= 0.5)) aligned++;
  }
  if (aligned / Math.min(lRows.length, rRows.length) < 0.6) return true;
  const prose = (rows: T[][], sideW: number) => {
    const full = rows.filter((r) => Math.max(...r.map((i) => i.bbox[2])) - Math.min(...r.map((i) => i.bbox[0])) >= 0.6 * sideW).length;
    return rows.length >= 6 && full / rows.length >= 0.6;
  };
  return prose(lRows, lw) && prose(rRows, rw);
}

export function orderRows<T extends Boxed>(items: readonly T[], opts: OrderOptions = DEFAULT_ORDER_OPTIONS): OrderedRow<T>[] {
  if (!items.length) return [];
  const lh = medianHeight(items);
  const out: OrderedRow<T>[] = [];
  const visit = (region: T[], column: string, depth: number): void => {
    if (region.length <= 1 || depth > 400) {
      for (const r of groupRows(region)) out.push({ items: r, column });
      return;
    }
    const [rx0, , rx1] = extent(region);
    const rw = Math.max(1, rx1 - rx0);
    // Column cut: the widest vertical white band with enough text on both sides.
    const vg = gaps(region.map((i) => [i.bbox[0], i.bbox[2]] as [number, number]))
      .filter(([a, b]) => b - a >= opts.columnGapLines * lh)
      .sort((p, q) => q[1] - q[0] - (p[1] - p[0]));
    for (const [a, b] of vg) {
      const cut = (a + b) / 2;
      const left = region.filter((i) => i.bbox[2] <= cut),
        right = region.filter((i) => i.bbox[0] >= cut);
      const lw = a - rx0,
        rwid = rx1 - b;
      if (isColumnCut(left, right, lw, rwid, rw, opts)) {
        visit(left, column + 'L', depth + 1);
        visit(right, column + 'R', depth + 1);
        return;
      }
    }
    // Shrink boxes vertically by a quarter line before looking for row gaps (detector boxes overlap).
    const shrink = lh * 0.2;
    const hg = gaps(region.map((i) => [i.bbox[1] + shrink, Math.max(i.bbox[1] + shrink, i.bbox[3] - shrink)] as [number, number]));
    if (hg.length) {
      const [a, b] = hg.reduce((best, g) => (g[1] - g[0] > best[1] - best[0] ? g : best));
      const cut = (a + b) / 2;
      const top = region.filter((i) => (i.bbox[1] + i.bbox[3]) / 2 < cut);
      const bottom = region.filter((i) => (i.bbox[1] + i.bbox[3]) / 2 >= cut);
      if (top.length && bottom.length) {
        visit(top, column, depth + 1);
        visit(bottom, column, depth + 1);
        return;
      }
    }
    for (const r of groupRows(region)) out.push({ items: r, column });
  };
  visit(items.slice(), '', 0);
  return out;
}

/** Consecutive rows of the same column, close together and overlapping horizontally, form a block. */
export function groupBlocks<T extends Boxed>(rows: readonly OrderedRow<T>[], opts: OrderOptions = DEFAULT_ORDER_OPTIONS): T[][][] {
  const all = rows.flatMap((r) => r.items);
  const lh = medianHeight(all);
  const blocks: T[][][] = [];
  let prev: { row: OrderedRow<T>; box: BBox; h: number } | null = null;
  for (const row of rows) {
    const box = extent(row.items);
    const h = medianHeight(row.items);
    let join = false;
    if (prev && prev.row.column === row.column) {
      const gap = box[1] - prev.box[3];
      const xOverlap = Math.min(box[2], prev.box[2]) - Math.max(box[0], prev.box[0]);
      const similar = Math.max(h, prev.h) / Math.max(1, Math.min(h, prev.h)) < 1.4;
      join = gap < opts.blockGapLines * lh && xOverlap > 0 && similar;
    }
    if (join) blocks[blocks.length - 1].push(row.items);
    else blocks.push([row.items]);
    prev = { row, box, h };
  }
  return blocks;
}
