/**
 * Tables without vertical rules (scientific "booktabs" tables, aligned lists): structure inferred
 * from where the text is.
 *
 * - Region: a run of text rows that hold several chunks side by side (single-chunk rows between
 *   them are section labels or wrapped text and stay inside).
 * - Header: the rows above the first wide horizontal rule (booktabs' mid rule); without rules, the
 *   first row.
 * - Columns: vertical whitespace valleys in the body rows — x positions that (almost) no body row
 *   covers with text — each kept only if chunks actually start to its right (so a long label
 *   reaching into blank space does not invent a column).
 * - Rows: text rows; in the header, stacked lines between two rules are one row (multi-line
 *   header cells); in the body, a tightly spaced line that fills only some of the columns the row
 *   above filled is the continuation of wrapped cells, not a new row.
 * - Spans: a header chunk over a partial rule spans the columns under that rule; otherwise a
 *   header group label spans the empty columns around it that centre it, when the header row below
 *   has labels there. A stub-column header with nothing below it spans the header rows.
 */
import type { BBox, Line, TableCell } from '@ocrflow/core';
import { unionBBox } from '@ocrflow/core';
import type { DetectedTable } from './tables.types.ts';
import { lineChunks, textRows, joinWords, type Chunk, type TextRow } from './unruled.rows.ts';

export interface HRule {
  x0: number;
  x1: number;
  y: number;
}
export interface UnruledOptions {
  textHeight: number;
  rules: HRule[];
  pageWidth: number;
}

interface Zone {
  x0: number;
  x1: number;
}

/** Rows grouped into candidate table regions. */
function regions(rows: TextRow[], h: number): TextRow[][] {
  const multi = (r: TextRow) => r.chunks.length >= 2;
  const out: TextRow[][] = [];
  let i = 0;
  while (i < rows.length) {
    if (!multi(rows[i])) {
      i++;
      continue;
    }
    const reg = [rows[i]];
    let j = i + 1;
    while (j < rows.length) {
      const gap = rows[j].bbox[1] - reg[reg.length - 1].bbox[3];
      if (gap > 2.5 * h) break;
      if (multi(rows[j])) {
        reg.push(rows[j]);
        j++;
        continue;
      }
      // up to two single-chunk rows (section labels, wrapped text) if a multi row follows closely
      let k = j;
      while (k < rows.length && k - j < 2 && !multi(rows[k]) && rows[k].bbox[1] - rows[k - 1].bbox[3] <= 2.5 * h) k++;
      if (k < rows.length && multi(rows[k]) && rows[k].bbox[1] - rows[k - 1].bbox[3] <= 2.5 * h) {
        reg.push(...rows.slice(j, k));
        j = k;
        continue;
      }
      // trailing wrapped lines of the last row: tight and no wider than the first column
      while (
        j < rows.length &&
        !multi(rows[j]) &&
        rows[j].yc - reg[reg.length - 1].yc <= 1.35 * h &&
        rows[j].bbox[2] <= reg[reg.length - 1].chunks[0].bbox[2] + 2 * h
      )
        reg.push(rows[j++]);
      break;
    }
    out.push(reg);
    i = j;
  }
  return out;
}

/** Column zones from whitespace valleys of the given rows. */
export function columnZones(rows: TextRow[], h: number, extra?: readonly Chunk[]): Zone[] {
  const chunks = rows.flatMap((r) => r.chunks);
  const x0 = Math.floor(Math.min(...chunks.map((c) => c.bbox[0])));
  const x1 = Math.ceil(Math.max(...chunks.map((c) => c.bbox[2])));
  const cov = new Uint16Array(x1 - x0 + 1);
  for (const r of rows) {
    const mark = new Uint8Array(x1 - x0 + 1);
    for (const c of r.chunks) for (let x = Math.max(x0, Math.floor(c.bbox[0])); x <= Math.min(x1, Math.ceil(c.bbox[2])); x++) mark[x - x0] = 1;
    for (let k = 0; k < mark.length; k++) cov[k] += mark[k];
  }
  const thr = Math.floor(0.1 * rows.length);
  const minGap = Math.max(3, 0.5 * h);
  const valleys: Zone[] = [];
  for (let k = 0; k < cov.length; ) {
    if (cov[k] > thr) {
      k++;
      continue;
    }
    const s = k;
    while (k < cov.length && cov[k] <= thr) k++;
    if (s > 0 && k < cov.length && k - s >= minGap) valleys.push({ x0: x0 + s, x1: x0 + k - 1 });
  }
  const zonesOf = (vs: Zone[]): Zone[] => {
    const z: Zone[] = [];
    let start = x0;
    for (const v of vs) {
      z.push({ x0: start, x1: v.x0 });
      start = v.x1;
    }
    z.push({ x0: start, x1: x1 });
    return z;
  };
  // A column must have chunks starting in it: drop the valley before the weakest zone until all hold.
  const need = Math.max(2, Math.ceil(0.15 * rows.length));
  const starters = [...chunks, ...(extra ?? [])];
  for (;;) {
    const z = zonesOf(valleys);
    const starts = z.map(
      (zone, idx) =>
        starters.filter((c) => c.bbox[0] >= (idx === 0 ? -Infinity : zone.x0 - 1) && c.bbox[0] < (idx === z.length - 1 ? Infinity : z[idx + 1].x0)).length,
    );
    let weakest = -1;
    for (let idx = 1; idx < z.length; idx++) if (starts[idx] < need && (weakest < 0 || starts[idx] < starts[weakest])) weakest = idx;
    if (weakest < 0) return z;
    valleys.splice(weakest - 1, 1);
  }
}

/** Columns a chunk covers: zones it overlaps substantially; at least the nearest one. */
function chunkCols(c: Chunk, zones: Zone[]): [number, number] {
  let a = -1,
    b = -1;
  zones.forEach((z, i) => {
    const ov = Math.min(c.bbox[2], z.x1) - Math.max(c.bbox[0], z.x0);
    if (ov > 0.5 * Math.min(z.x1 - z.x0, c.bbox[2] - c.bbox[0])) {
      if (a < 0) a = i;
      b = i;
    }
  });
  if (a >= 0) return [a, b];
  const xc = (c.bbox[0] + c.bbox[2]) / 2;
  let best = 0,
    bd = Infinity;
  zones.forEach((z, i) => {
    const d = xc < z.x0 ? z.x0 - xc : xc > z.x1 ? xc - z.x1 : 0;
    if (d < bd) {
      bd = d;
      best = i;
    }
  });
  return [best, best];
}

function ruleBetween(rules: HRule[], yTop: number, yBot: number, x0: number, x1: number, minLen: number): HRule | undefined {
  return rules.find((r) => r.y > yTop && r.y < yBot && Math.min(r.x1, x1) - Math.max(r.x0, x0) >= minLen);
}

interface RowCells {
  chunks: Chunk[];
  bbox: BBox;
  header: boolean;
  cols: Map<number, { span: [number, number]; chunks: Chunk[] }>;
}

function filledCols(r: TextRow, zones: Zone[]): Set<number> {
  const s = new Set<number>();
  for (const c of r.chunks) {
    const [a, b] = chunkCols(c, zones);
    for (let k = a; k <= b; k++) s.add(k);
  }
  return s;
}

function buildTable(region: TextRow[], o: UnruledOptions): DetectedTable | null {
  const h = o.textHeight;
  const rx0 = Math.min(...region.map((r) => r.bbox[0])),
    rx1 = Math.max(...region.map((r) => r.bbox[2]));
  const width = rx1 - rx0;
  const rules = o.rules.filter((r) => r.x1 - r.x0 >= 2 * h && Math.min(r.x1, rx1) - Math.max(r.x0, rx0) > 0).sort((a, b) => a.y - b.y);
  const top = region[0].bbox[1],
    bottom = region[region.length - 1].bbox[3];
  // Header: rows above the first wide rule that has region rows on both sides.
  const mid = rules.find((r) => r.x1 - r.x0 >= 0.6 * width && r.y > region[0].yc && r.y < region[region.length - 1].yc);
  let nHead = mid ? region.filter((r) => r.yc < mid.y).length : 1;
  if (nHead >= region.length) nHead = 1;
  const body = region.slice(nHead);
  const bodyMulti = body.filter((r) => r.chunks.length >= 2);
  const colRows = bodyMulti.length >= 2 ? bodyMulti : region.filter((r) => r.chunks.length >= 2);
  if (colRows.length < 2) return null;
  const zones = columnZones(
    colRows,
    h,
    region.filter((r) => !colRows.includes(r)).flatMap((r) => r.chunks),
  );
  const nCols = zones.length;
  // Acceptance: real tables have rules or a dense grid of aligned columns.
  const bracketed = rules.some((r) => r.x1 - r.x0 >= 0.6 * width && r.y >= top - 2 * h && r.y <= bottom + 2 * h);
  const dense = colRows.filter((r) => filledCols(r, zones).size >= Math.min(3, nCols)).length;
  if (nCols < 2) return null;
  // (key–value lines such as "Cashier: CN   Location: 05" fill two columns at most, and do not count)
  const multiRows = region.filter((r) => r.chunks.length >= 2).length;
  if (!(bracketed && dense >= 2 && dense >= 0.3 * multiRows) && !(nCols >= 3 && dense >= 4 && dense >= 0.6 * multiRows)) return null;

  // Table rows.
  const trows: RowCells[] = [];
  region.forEach((r, i) => {
    const isHead = i < nHead;
    const prev = trows[trows.length - 1];
    if (prev && prev.header === isHead) {
      const prevBottom = prev.bbox[3];
      const rule = ruleBetween(rules, Math.min(prevBottom, r.bbox[1]) - 0.3 * h, Math.max(prevBottom, r.bbox[1]) + 0.3 * h, rx0, rx1, 2 * h);
      const tight = r.yc - (prev.chunks[prev.chunks.length - 1].bbox[1] + prev.chunks[prev.chunks.length - 1].bbox[3]) / 2 <= 1.35 * h;
      let merge = false;
      const mine = filledCols(r, zones);
      const theirs = new Set<number>();
      for (const cell of prev.cols.values()) for (let k = cell.span[0]; k <= cell.span[1]; k++) theirs.add(k);
      // header: stacked lines of multi-line labels sit under labels of the line above; a line of
      // sub-labels under group labels fills columns the line above left empty
      if (isHead) merge = !rule && tight && [...mine].every((c) => theirs.has(c));
      else if (!rule && tight) {
        // wrapped cells fill some of the row's columns again; a new row starts with its label
        // (column 0) and fills most columns
        merge = [...mine].every((c) => theirs.has(c)) && mine.size < theirs.size && (!mine.has(0) || mine.size <= Math.max(1, 0.5 * theirs.size));
      }
      if (merge) {
        prev.chunks.push(...r.chunks);
        prev.bbox = unionBBox([prev.bbox, r.bbox]);
        for (const c of r.chunks) placeChunk(prev, c, zones);
        return;
      }
    }
    const row: RowCells = { chunks: [...r.chunks], bbox: r.bbox, header: isHead, cols: new Map() };
    for (const c of r.chunks) placeChunk(row, c, zones);
    trows.push(row);
  });
  headerSpans(trows, zones, rules, h);
  return toTable(trows, zones, nCols);
}

/** Put a chunk into its columns, joining chunks of one column and trimming overlapping spans. */
function placeChunk(row: RowCells, c: Chunk, zones: Zone[]): void {
  let [a, b] = chunkCols(c, zones);
  // a spanning chunk never swallows a column another chunk of the row already holds
  const xc = (c.bbox[0] + c.bbox[2]) / 2;
  for (const [k, cell] of row.cols) {
    if (cell.span[0] === cell.span[1] && k > a && k <= b) {
      if ((zones[k].x0 + zones[k].x1) / 2 > xc) b = Math.min(b, k - 1);
      else a = Math.max(a, k + 1);
    }
  }
  if (a > b) a = b = chunkCols(c, zones)[0];
  const existing = row.cols.get(a) ?? [...row.cols.values()].find((cell) => cell.span[0] <= a && cell.span[1] >= a);
  if (existing) {
    existing.chunks.push(c);
    existing.span = [Math.min(existing.span[0], a), Math.max(existing.span[1], b)];
    return;
  }
  row.cols.set(a, { span: [a, b], chunks: [c] });
}

function headerSpans(trows: RowCells[], zones: Zone[], rules: HRule[], h: number): void {
  const heads = trows.filter((r) => r.header);
  for (let i = 0; i < heads.length; i++) {
    const row = heads[i],
      below = heads[i + 1] ?? trows[i + 1];
    if (!below) break;
    const belowCols = new Set<number>();
    for (const cell of below.cols.values()) for (let k = cell.span[0]; k <= cell.span[1]; k++) belowCols.add(k);
    const taken = new Set<number>();
    for (const cell of row.cols.values()) for (let k = cell.span[0]; k <= cell.span[1]; k++) taken.add(k);
    for (const cell of [...row.cols.values()].sort((x, y) => x.span[0] - y.span[0])) {
      const box = unionBBox(cell.chunks.map((c) => c.bbox));
      const xc = (box[0] + box[2]) / 2;
      // a partial rule under a label (booktabs \cmidrule) marks the columns of its group
      const rule = rules.find(
        (r) =>
          r.x1 - r.x0 < 0.85 * (zones[zones.length - 1].x1 - zones[0].x0) &&
          r.y > box[3] - 0.2 * h &&
          r.y < below.bbox[1] + 0.5 * h &&
          Math.min(r.x1, box[2]) - Math.max(r.x0, box[0]) > 0.5 * (box[2] - box[0]),
      );
      let [a, b] = cell.span;
      const free = (k: number) => k >= 0 && k < zones.length && !taken.has(k);
      if (rule) {
        while (free(a - 1) && (zones[a - 1].x0 + zones[a - 1].x1) / 2 >= rule.x0 - 2) a--;
        while (free(b + 1) && (zones[b + 1].x0 + zones[b + 1].x1) / 2 <= rule.x1 + 2) b++;
      } else {
        // widest range of free neighbours, with labels below, that keeps the label centred
        let best: [number, number] = [a, b],
          bestScore = Math.abs((zones[a].x0 + zones[b].x1) / 2 - xc);
        let lo = a;
        while (free(lo - 1) && belowCols.has(lo - 1)) lo--;
        let hi = b;
        while (free(hi + 1) && belowCols.has(hi + 1)) hi++;
        for (let l = lo; l <= a; l++)
          for (let r = b; r <= hi; r++) {
            const d = Math.abs((zones[l].x0 + zones[r].x1) / 2 - xc);
            const colW = (zones[r].x1 - zones[l].x0) / (r - l + 1);
            if (d < 0.35 * colW && (r - l > best[1] - best[0] || d < bestScore - 0.5 * colW)) {
              best = [l, r];
              bestScore = d;
            }
          }
        [a, b] = best;
      }
      for (let k = a; k <= b; k++) taken.add(k);
      cell.span = [a, b];
    }
  }
}

function toTable(trows: RowCells[], zones: Zone[], nCols: number): DetectedTable {
  const nRows = trows.length;
  const cells: TableCell[] = [];
  const covered = new Set<string>();
  const nHead = trows.filter((r) => r.header).length;
  trows.forEach((row, ri) => {
    const sorted = [...row.cols.values()].sort((a, b) => a.span[0] - b.span[0]);
    for (const cell of sorted) {
      const [a, b] = cell.span;
      if (covered.has(`${ri},${a}`)) continue;
      let rs = 1;
      // stub head ("Variable") with nothing under it in the header spans the header rows
      if (row.header && a === 0 && b === 0 && ri < nHead - 1) {
        while (ri + rs < nHead && ![...trows[ri + rs].cols.values()].some((c) => c.span[0] <= 0)) rs++;
      }
      for (let r = ri; r < ri + rs; r++) for (let k = a; k <= b; k++) covered.add(`${r},${k}`);
      const text = readingText(cell.chunks);
      cells.push({
        row: ri,
        col: a,
        row_span: rs,
        col_span: b - a + 1,
        bbox: unionBBox(cell.chunks.map((c) => c.bbox)),
        text,
        lines: [...new Set(cell.chunks.map((c) => c.line))],
        ...(row.header ? { header: true } : {}),
      });
    }
  });
  // empty slots become empty cells so every row is complete
  trows.forEach((row, ri) => {
    for (let k = 0; k < nCols; k++) {
      if (covered.has(`${ri},${k}`)) continue;
      covered.add(`${ri},${k}`);
      cells.push({
        row: ri,
        col: k,
        row_span: 1,
        col_span: 1,
        bbox: [Math.round(zones[k].x0), Math.round(row.bbox[1]), Math.round(zones[k].x1), Math.round(row.bbox[3])],
        text: '',
        lines: [],
        ...(row.header ? { header: true } : {}),
      });
    }
  });
  cells.sort((x, y) => x.row - y.row || x.col - y.col);
  const lines: Line[] = [...new Set(trows.flatMap((r) => r.chunks.map((c) => c.line)))];
  const bbox = unionBBox(trows.map((r) => r.bbox));
  return { bbox: bbox.map(Math.round) as BBox, table: { n_rows: nRows, n_cols: nCols, cells, ruled: false }, lines };
}

/** Chunks of one cell in reading order: lines top to bottom, left to right within a line. */
function readingText(chunks: Chunk[]): string {
  const sorted = [...chunks].sort((a, b) => a.bbox[1] - b.bbox[1]);
  const lines: Chunk[][] = [];
  for (const c of sorted) {
    const l = lines[lines.length - 1];
    const h = c.bbox[3] - c.bbox[1];
    if (l && Math.abs((c.bbox[1] + c.bbox[3]) / 2 - (l[0].bbox[1] + l[0].bbox[3]) / 2) < 0.5 * h) l.push(c);
    else lines.push([c]);
  }
  return joinWords(lines.map((l) => joinWords(l.sort((a, b) => a.bbox[0] - b.bbox[0]).map((c) => c.text))));
}

/**
 * Group labels above a header ("Agency level" over three columns) are often alone on their line, so
 * the region, which starts at the first line with several chunks, misses them. Take in the lines
 * just above that sit over the data columns (not in the stub column, where a caption or a heading
 * would start) with no full-width rule in between.
 */
function withGroupLabels(reg: TextRow[], rows: TextRow[], o: UnruledOptions): void {
  const h = o.textHeight;
  const rx0 = Math.min(...reg.map((r) => r.bbox[0])),
    rx1 = Math.max(...reg.map((r) => r.bbox[2]));
  for (let i = rows.indexOf(reg[0]) - 1; i >= 0; i--) {
    const r = rows[i],
      first = reg[0];
    if (first.bbox[1] - r.bbox[3] > 1.5 * h) break;
    if (r.chunks.some((c) => c.bbox[0] < rx0 + 2 * h || c.bbox[2] > rx1 + h)) break;
    if (o.rules.some((u) => u.y > r.bbox[3] - 0.2 * h && u.y < first.bbox[1] + 0.2 * h && u.x1 - u.x0 >= 0.85 * (rx1 - rx0))) break;
    reg.unshift(r);
  }
}

export function inferUnruledTables(lines: readonly Line[], o: UnruledOptions): DetectedTable[] {
  const h = o.textHeight;
  const chunks = lines.flatMap((l) => lineChunks(l, 1.0 * h));
  if (chunks.length < 4) return [];
  const rows = textRows(chunks, h);
  const out: DetectedTable[] = [];
  for (const reg of regions(rows, h)) {
    if (reg.length < 2) continue;
    withGroupLabels(reg, rows, o);
    const t = buildTable(reg, o);
    if (t) out.push(t);
  }
  return out;
}
