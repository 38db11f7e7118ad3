/**
 * From ruling segments to table grids with merged cells.
 *
 * 1. Keep only rules that take part in a grid: a horizontal rule must meet at least two vertical
 *    ones and vice versa (pruned until stable). Strokes of large characters, underlines and
 *    signatures meet nothing and drop out.
 * 2. Rules that meet form one table (connected components): several tables on a page stay apart.
 * 3. Rows and columns: rules at the same position (within a fraction of the text height) are one
 *    boundary, even when they cover different stretches (a rule under a header group only).
 * 4. Merged cells come from missing separators: between two neighbouring slots, if the boundary's
 *    rules (or, for pieces too short to be found as rules, the ink itself) cover less than most of
 *    the shared edge, the slots are one cell. Components that are not rectangles are cut back into
 *    rectangles, because a table cell always is one.
 *
 * Everything is in working-image pixels; the caller scales back to the page.
 */
import type { Point } from '@ocrflow/core';
import { crossAt, type RuleSegment, type Rulings } from './ruling.detect.ts';
import { dropTextStrokes, type TextQuad } from './ruling.filter.ts';
import { splitStacked } from './grid.split.ts';

export interface Boundary {
  /** Cross position at `ref` along the boundary. */
  pos: number;
  slope: number;
  ref: number;
  /** Along-intervals where a rule is present, sorted and disjoint. */
  cover: [number, number][];
  thickness: number;
  /** An open table side (no rule): counts as present everywhere. */
  virtual: boolean;
}

export interface GridCell {
  row: number;
  col: number;
  row_span: number;
  col_span: number;
  /** tl, tr, br, bl in working pixels. */
  quad: [Point, Point, Point, Point];
}

export interface RuledGrid {
  rows: Boundary[];
  cols: Boundary[];
  cells: GridCell[];
}

export interface GridOptions {
  /** Typical text line height in working pixels (scales every tolerance). */
  textHeight: number;
  /** Ink mask (working image) used to confirm short separators. */
  mask?: Uint8Array;
  width: number;
  height: number;
  /** Recognised text lines (working pixels): rules through text are strokes, and ink is no evidence there. */
  texts?: readonly TextQuad[];
  /** Largest number of slots (rows × columns) considered a table. */
  maxSlots?: number;
}

/** Where a horizontal and a vertical segment meet, if they do (with `tol` of slack at the ends). */
function meets(h: RuleSegment, v: RuleSegment, tol: number): boolean {
  const x = (v.c + v.slope * h.c) / (1 - v.slope * h.slope);
  const y = crossAt(h, x);
  return x >= h.a0 - tol && x <= h.a1 + tol && y >= v.a0 - tol && y <= v.a1 + tol;
}

export function crossOf(b: Boundary, along: number): number {
  return b.pos + b.slope * (along - b.ref);
}

/** Intersection of a row boundary (along x) with a column boundary (along y). */
export function corner(r: Boundary, c: Boundary): Point {
  // y = r.pos + r.slope·(x − r.ref);  x = c.pos + c.slope·(y − c.ref)
  const x = (c.pos + c.slope * (r.pos - r.slope * r.ref - c.ref)) / (1 - c.slope * r.slope);
  return [x, crossOf(r, x)];
}

function mergeIntervals(iv: [number, number][]): [number, number][] {
  const s = [...iv].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function coveredLength(cover: [number, number][], a: number, b: number): number {
  let len = 0;
  for (const [s, e] of cover) {
    const lo = Math.max(s, a),
      hi = Math.min(e, b);
    if (hi > lo) len += hi - lo;
  }
  return len;
}

/** Cluster parallel segments into boundaries ordered by position. */
function toBoundaries(segs: RuleSegment[], ref: number, tol: number): Boundary[] {
  const items = segs.map((s) => ({ s, p: crossAt(s, ref) })).sort((a, b) => a.p - b.p);
  const groups: { s: RuleSegment; p: number }[][] = [];
  for (const it of items) {
    const g = groups[groups.length - 1];
    if (g && it.p - g[g.length - 1].p <= tol) g.push(it);
    else groups.push([it]);
  }
  return groups.map((g) => {
    let wsum = 0,
      slope = 0,
      pos = 0,
      th = 0;
    for (const { s, p } of g) {
      const w = s.a1 - s.a0;
      wsum += w;
      slope += s.slope * w;
      pos += p * w;
      th += s.thickness * w;
    }
    return { pos: pos / wsum, slope: slope / wsum, ref, cover: mergeIntervals(g.map(({ s }) => [s.a0, s.a1])), thickness: th / wsum, virtual: false };
  });
}

/**
 * True when the along-range [a, b] of boundary `bd` passes through or close by a recognised text
 * line: a glyph's edge stroke beside a cell border looks like a short rule, so ink is trusted as a
 * rule only where there is clear space around it.
 */
function nearText(bd: Boundary, a: number, b: number, horizontal: boolean, o: GridOptions): boolean {
  const m = 0.3 * o.textHeight;
  for (const t of o.texts ?? []) {
    if (horizontal) {
      if (t.x1 <= a || t.x0 >= b) continue;
      const y = crossOf(bd, (Math.max(a, t.x0) + Math.min(b, t.x1)) / 2);
      if (y > t.y0 - m && y < t.y1 + m) return true;
    } else {
      if (t.y1 <= a || t.y0 >= b) continue;
      const x = crossOf(bd, (Math.max(a, t.y0) + Math.min(b, t.y1)) / 2);
      if (x > t.x0 - m && x < t.x1 + m) return true;
    }
  }
  return false;
}

/**
 * Fraction of along-range [a, b] of boundary `bd` that is ruled: by its segments, else (a piece of
 * rule too short to be found as a segment, e.g. a separator one row tall) by unbroken ink along its
 * path where no text is; without known text, only over at least a text height.
 */
function separatorCoverage(bd: Boundary, a: number, b: number, horizontal: boolean, o: GridOptions): number {
  if (bd.virtual) return 1;
  const len = b - a;
  if (len <= 0) return 1;
  const seg = coveredLength(bd.cover, a, b) / len;
  if (seg >= 0.6 || !o.mask) return seg;
  if (o.texts ? nearText(bd, a, b, horizontal, o) : len < o.textHeight) return seg;
  const r = Math.ceil(bd.thickness / 2 + 1);
  let hit = 0,
    n = 0;
  for (let t = Math.ceil(a); t <= b; t++) {
    const c = Math.round(crossOf(bd, t));
    n++;
    for (let d = -r; d <= r; d++) {
      const x = horizontal ? t : c + d;
      const y = horizontal ? c + d : t;
      if (x >= 0 && y >= 0 && x < o.width && y < o.height && o.mask[y * o.width + x]) {
        hit++;
        break;
      }
    }
  }
  const ink = n ? hit / n : 0;
  return Math.max(seg, ink >= (o.texts ? 0.92 : 0.95) ? ink : 0);
}

/**
 * Drop bands thinner than `minBand` between two boundaries that are ruled over the same stretch (a
 * stroke or a double rule beside a real rule): keep the better ruled one. Two close boundaries that
 * are ruled in different parts of the table (sections whose rules almost line up) are both real.
 */
function dropThinBands(bs: Boundary[], minBand: number): Boundary[] {
  const out = [...bs];
  const ruled = (b: Boundary) => (b.virtual ? 1e9 : b.cover.reduce((s, [x, y]) => s + y - x, 0));
  const shared = (a: Boundary, b: Boundary) => a.virtual || b.virtual || a.cover.some(([s, e]) => coveredLength(b.cover, s, e) > 0);
  for (let i = 0; i + 1 < out.length; ) {
    if (out[i + 1].pos - out[i].pos < minBand && shared(out[i], out[i + 1])) {
      out.splice(ruled(out[i]) >= ruled(out[i + 1]) ? i + 1 : i, 1);
    } else i++;
  }
  return out;
}

function pruneToGrid(r: Rulings, tol: number): { h: RuleSegment[]; v: RuleSegment[]; hv: number[][] } {
  let h = r.horizontal,
    v = r.vertical;
  for (let pass = 0; pass < 10; pass++) {
    const hk = h.map((s) => v.reduce((n, t) => n + (meets(s, t, tol) ? 1 : 0), 0));
    const vk = v.map((t) => h.reduce((n, s) => n + (meets(s, t, tol) ? 1 : 0), 0));
    const h2 = h.filter((_, i) => hk[i] >= 2),
      v2 = v.filter((_, i) => vk[i] >= 2);
    const stable = h2.length === h.length && v2.length === v.length;
    h = h2;
    v = v2;
    if (stable) break;
  }
  const hv = h.map((s) => v.flatMap((t, j) => (meets(s, t, tol) ? [j] : [])));
  return { h, v, hv };
}

/** All ruled grids of a page, each a candidate table. */
export function buildGrids(r: Rulings, o: GridOptions): RuledGrid[] {
  const th = Math.max(4, o.textHeight);
  const tol = Math.max(3, 0.4 * th);
  const kept = o.texts ? dropTextStrokes(r.horizontal, r.vertical, o.texts, th) : { h: r.horizontal, v: r.vertical };
  const { h, v, hv } = pruneToGrid({ horizontal: kept.h, vertical: kept.v }, tol);
  if (h.length < 2 || v.length < 2) return [];
  // Connected components over "meets" (h indices 0..H-1, v indices H..H+V-1).
  const parent = Int32Array.from({ length: h.length + v.length }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  hv.forEach((js, i) =>
    js.forEach((j) => {
      const a = find(i),
        b = find(h.length + j);
      if (a !== b) parent[a] = b;
    }),
  );
  const comps = new Map<number, { h: RuleSegment[]; v: RuleSegment[] }>();
  h.forEach((s, i) => {
    const k = find(i);
    if (!comps.has(k)) comps.set(k, { h: [], v: [] });
    comps.get(k)!.h.push(s);
  });
  v.forEach((s, j) => {
    const k = find(h.length + j);
    if (!comps.has(k)) comps.set(k, { h: [], v: [] });
    comps.get(k)!.v.push(s);
  });
  const grids: RuledGrid[] = [];
  for (const whole of comps.values()) {
    for (const c of splitStacked(whole, tol, th)) {
      if (c.h.length < 2 || c.v.length < 2) continue;
      const g = gridOf(c.h, c.v, o, th);
      if (g) grids.push(g);
    }
  }
  return grids.sort((a, b) => a.rows[0].pos - b.rows[0].pos);
}

function gridOf(hs: RuleSegment[], vs: RuleSegment[], o: GridOptions, th: number): RuledGrid | null {
  const x0 = Math.min(...hs.map((s) => s.a0)),
    x1 = Math.max(...hs.map((s) => s.a1));
  const y0 = Math.min(...vs.map((s) => s.a0)),
    y1 = Math.max(...vs.map((s) => s.a1));
  const xc = (x0 + x1) / 2,
    yc = (y0 + y1) / 2;
  const clusterTol = Math.max(3, 0.35 * th);
  let rows = toBoundaries(hs, xc, clusterTol);
  let cols = toBoundaries(vs, yc, clusterTol);
  // Open sides: when most perpendicular rules run on past the outermost boundary (measured where
  // each rule crosses it, so a rotated photo does not look open) by more than a text height, the
  // table has no border there; its edge is a boundary parallel to the outermost one, where those
  // rules typically end.
  const open = (bs: Boundary[], perp: RuleSegment[]) => {
    const first = bs[0],
      last = bs[bs.length - 1];
    const before: number[] = [],
      after: number[] = [];
    for (const s of perp) {
      // where the perpendicular segment crosses the outermost boundaries (along its own axis)
      const at = (b: Boundary) => {
        let a = b.pos;
        for (let k = 0; k < 3; k++) a = crossOf(b, crossAt(s, a));
        return a;
      };
      before.push(at(first) - s.a0);
      after.push(s.a1 - at(last));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const virt = (b: Boundary, d: number): Boundary => ({ pos: b.pos + d, slope: b.slope, ref: b.ref, cover: [], thickness: 1, virtual: true });
    if (median(before) > th) bs.unshift(virt(first, -median(before)));
    if (median(after) > th) bs.push(virt(last, median(after)));
  };
  open(cols, hs);
  open(rows, vs);
  rows = dropThinBands(rows, 0.6 * th);
  cols = dropThinBands(cols, 0.6 * th);
  const nr = rows.length - 1,
    nc = cols.length - 1;
  if (nr < 1 || nc < 1 || nr * nc < 2) return null;
  // A degenerate grid (hatching, a ruler, a dense pattern) is not a table; bound the work too.
  if (nr * nc > (o.maxSlots ?? 20000) || nr > 500 || nc > 200) return null;

  // Corner points of every slot.
  const P: Point[][] = rows.map((r) => cols.map((c) => corner(r, c)));
  // Separators: vsep[i][j] between slot (i,j) and (i,j+1); hsep[i][j] between (i,j) and (i+1,j).
  const present = (bd: Boundary, a: number, b: number, horizontal: boolean) => {
    const m = Math.min(3, 0.2 * (b - a));
    return separatorCoverage(bd, a + m, b - m, horizontal, o) >= 0.6;
  };
  const id = (i: number, j: number) => i * nc + j;
  const parent = Int32Array.from({ length: nr * nc }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const x = find(a),
      y = find(b);
    if (x !== y) parent[Math.max(x, y)] = Math.min(x, y);
  };
  for (let i = 0; i < nr; i++) {
    for (let j = 0; j + 1 < nc; j++) {
      const a = P[i][j + 1][1],
        b = P[i + 1][j + 1][1];
      if (!present(cols[j + 1], a, b, false)) union(id(i, j), id(i, j + 1));
    }
  }
  for (let i = 0; i + 1 < nr; i++) {
    for (let j = 0; j < nc; j++) {
      const a = P[i + 1][j][0],
        b = P[i + 1][j + 1][0];
      if (!present(rows[i + 1], a, b, true)) union(id(i, j), id(i + 1, j));
    }
  }
  const cells = rectangularCells(nr, nc, (i, j) => find(id(i, j))).map(({ row, col, row_span, col_span }) => ({
    row,
    col,
    row_span,
    col_span,
    quad: [P[row][col], P[row][col + col_span], P[row + row_span][col + col_span], P[row + row_span][col]] as [Point, Point, Point, Point],
  }));
  if (cells.length < 2) return null;
  return { rows, cols, cells };
}

/**
 * Cells from a labelling of slots: each label's slots become one cell when they form a rectangle;
 * otherwise the label is cut into rectangles greedily (row-major, widest first run, then down).
 */
export function rectangularCells(
  nr: number,
  nc: number,
  label: (i: number, j: number) => number,
): { row: number; col: number; row_span: number; col_span: number }[] {
  const used = new Uint8Array(nr * nc);
  const out: { row: number; col: number; row_span: number; col_span: number }[] = [];
  for (let i = 0; i < nr; i++) {
    for (let j = 0; j < nc; j++) {
      if (used[i * nc + j]) continue;
      const l = label(i, j);
      let w = 1;
      while (j + w < nc && !used[i * nc + j + w] && label(i, j + w) === l) w++;
      let hgt = 1;
      grow: while (i + hgt < nr) {
        for (let k = 0; k < w; k++) if (used[(i + hgt) * nc + j + k] || label(i + hgt, j + k) !== l) break grow;
        // do not swallow a row whose run of this label is wider than ours (it would leave an L)
        if (
          (j + w < nc && label(i + hgt, j + w) === l && !used[(i + hgt) * nc + j + w]) ||
          (j > 0 && label(i + hgt, j - 1) === l && !used[(i + hgt) * nc + j - 1])
        )
          break;
        hgt++;
      }
      for (let a = 0; a < hgt; a++) for (let b = 0; b < w; b++) used[(i + a) * nc + j + b] = 1;
      out.push({ row: i, col: j, row_span: hgt, col_span: w });
    }
  }
  return out;
}
