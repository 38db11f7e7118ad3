/**
 * Table detection and structure for one page: ruled grids first (binarise → rules → grid → cells),
 * then tables without vertical rules inferred from the alignment of the remaining text. Returns the
 * tables in page coordinates and the lines they now hold (the caller keeps the rest as text).
 */
import type { BBox, Line, Point, Table, TableCell } from '@ocrflow/core';
import { unionBBox, polygonToBBox } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';
import { hollowFills, sauvola, toWorkingGray } from './ink.binarize.ts';
import { detectRulings } from './ruling.detect.ts';
import { buildGrids, type RuledGrid } from './grid.build.ts';
import { dropTextStrokes, textQuad } from './ruling.filter.ts';
import { assignText, cellText, type CellGeometry, type InkExtent } from './cells.assign.ts';
import { inferUnruledTables } from './unruled.infer.ts';
import { compactGrid } from './grid.compact.ts';

export interface DetectedTable {
  bbox: BBox;
  table: Table;
  /** Lines inside the table (consumed from the page's text). */
  lines: Line[];
}

export interface TableDetectOptions {
  /** Longest side of the working image for rule detection. */
  maxSide?: number;
  /** Also infer tables without vertical rules from text alignment (default true). */
  unruled?: boolean;
}

/** Height of a line from its polygon (robust to rotation), else its box. */
export function lineHeight(l: Line): number {
  const q = l.polygon;
  if (q.length === 4) return (Math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]) + Math.hypot(q[2][0] - q[1][0], q[2][1] - q[1][1])) / 2;
  return l.bbox[3] - l.bbox[1];
}

export function medianTextHeight(lines: readonly Line[], fallback: number): number {
  const hs = lines.filter((l) => [...l.text.trim()].length >= 2).map(lineHeight).sort((a, b) => a - b);
  return hs.length ? hs[hs.length >> 1] : fallback;
}

function quadOf(l: Line): Point[] {
  if (l.polygon.length === 4) return l.polygon;
  const [x0, y0, x1, y1] = l.bbox;
  return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
}

/** Cells of a ruled grid with their text, in page coordinates. */
function tableFromGrid(g: RuledGrid, scale: number, lines: readonly Line[], ink: InkExtent): DetectedTable {
  const inv = 1 / scale;
  const geoms: CellGeometry[] = g.cells.map((c) => ({ quad: c.quad.map(([x, y]) => [x * inv, y * inv] as Point) }));
  const outline = [g.cells.flatMap((c) => c.quad)].map((pts) => polygonToBBox(pts.map(([x, y]) => [x * inv, y * inv] as Point)))[0];
  // Lines whose centre lies inside the table's outline belong to it.
  const inside = lines.filter((l) => {
    const cx = (l.bbox[0] + l.bbox[2]) / 2, cy = (l.bbox[1] + l.bbox[3]) / 2;
    return cx >= outline[0] && cx <= outline[2] && cy >= outline[1] && cy <= outline[3];
  });
  const pieces = assignText(inside, geoms, ink);
  const cells: TableCell[] = g.cells.map((c, i) => {
    const ps = pieces.get(i) ?? [];
    const cellLines = [...new Set(ps.map((p) => p.line))];
    return {
      row: c.row,
      col: c.col,
      row_span: c.row_span,
      col_span: c.col_span,
      bbox: roundBox(polygonToBBox(geoms[i].quad as Point[])),
      text: cellText(ps),
      lines: cellLines,
    };
  });
  // Sections whose rules do not line up share columns (grid.compact.ts). Blank boxes stay: they are
  // part of the printed form (and the reference output keeps merges that reach into them).
  const nr = g.rows.length - 1, nc = g.cols.length - 1;
  const compact = compactGrid(nr, nc, cells, linePositions(cells, nc, 0), linePositions(cells, nr, 1));
  return {
    bbox: roundBox(outline),
    table: { n_rows: compact.n_rows, n_cols: compact.n_cols, cells: compact.cells, ruled: true },
    lines: inside,
  };
}

/** Position of each grid line (0..n) along x (axis 0) or y (axis 1): the mean edge of the cells at it. */
function linePositions(cells: readonly TableCell[], n: number, axis: 0 | 1): number[] {
  const sum = new Array<number>(n + 1).fill(0), cnt = new Array<number>(n + 1).fill(0);
  for (const c of cells) {
    if (!c.bbox) continue;
    const [start, span] = axis === 0 ? [c.col, c.col_span] : [c.row, c.row_span];
    sum[start] += c.bbox[axis]; cnt[start]++;
    sum[start + span] += c.bbox[axis + 2]; cnt[start + span]++;
  }
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push(cnt[i] ? sum[i] / cnt[i] : i > 0 ? out[i - 1] + 1 : 0);
  return out;
}

/** Ink extent over page-pixel boxes, read from the working mask. */
function inkExtent(mask: Uint8Array, w: number, h: number, scale: number): InkExtent {
  return (x0, x1, y0, y1) => {
    const a = Math.max(0, Math.floor(x0 * scale)), b = Math.min(w - 1, Math.ceil(x1 * scale));
    const c = Math.max(0, Math.floor(y0 * scale)), d = Math.min(h - 1, Math.ceil(y1 * scale));
    let first = -1, last = -1;
    for (let x = a; x <= b; x++) {
      for (let y = c; y <= d; y++) {
        if (mask[y * w + x]) { if (first < 0) first = x; last = x; break; }
      }
    }
    return first < 0 ? 0 : (last - first + 1) / scale;
  };
}

function roundBox(b: BBox): BBox {
  return [Math.round(b[0]), Math.round(b[1]), Math.round(b[2]), Math.round(b[3])];
}

export async function detectTables(image: RasterImage, lines: readonly Line[], opts: TableDetectOptions = {}): Promise<DetectedTable[]> {
  const textHeightPage = medianTextHeight(lines, Math.max(10, 0.012 * Math.max(image.width, image.height)));
  const { gray, scale } = await toWorkingGray(image, opts.maxSide ?? 2000);
  const th = Math.max(4, textHeightPage * scale);
  const W = gray.width, H = gray.height;
  const maxThickness = Math.max(5, th * 0.45);
  const mask = hollowFills(sauvola(gray), W, H, maxThickness);
  const rulings = detectRulings(mask, W, H, {
    minRun: Math.max(12, Math.round(th * 1.3)),
    minLength: Math.max(16, th * 1.6),
    maxThickness,
    maxGap: Math.max(5, th * 0.6),
    maxSegments: 1500,
  });
  const texts = lines.map((l) => textQuad(quadOf(l).map(([x, y]) => [x * scale, y * scale] as Point)));
  const grids = buildGrids(rulings, { textHeight: th, mask, width: W, height: H, texts });
  const ink = inkExtent(mask, W, H, scale);
  const found: DetectedTable[] = [];
  const used = new Set<Line>();
  for (const g of grids) {
    const t = tableFromGrid(g, scale, lines.filter((l) => !used.has(l)), ink);
    t.lines.forEach((l) => used.add(l));
    found.push(t);
  }
  if (opts.unruled !== false) {
    const rest = lines.filter((l) => !used.has(l));
    const strokesGone = dropTextStrokes(rulings.horizontal, [], texts, th).h;
    const hRules = strokesGone.map((s) => ({ x0: s.a0 / scale, x1: s.a1 / scale, y: (s.c + s.slope * (s.a0 + s.a1) / 2) / scale }));
    for (const t of inferUnruledTables(rest, { textHeight: textHeightPage, rules: hRules, pageWidth: image.width })) found.push(t);
  }
  attachCaptions(found, lines.filter((l) => !found.some((t) => t.lines.includes(l))), textHeightPage);
  return found.sort((a, b) => a.bbox[1] - b.bbox[1]);
}

const CAPTION = /^\s*(table|tab\.|tbl\.|表)\s*[0-9IVXivx一二三四五六七八九十]+/i;

/**
 * "Table 2. Baseline characteristics" / "表1 …" just above a table (or just below it) is its
 * caption: it names the table's sheet in the workbook and leaves the page text.
 */
function attachCaptions(found: DetectedTable[], free: Line[], h: number): void {
  const taken = new Set<Line>();
  for (const t of found) {
    const [x0, y0, x1, y1] = t.bbox;
    const near = free.filter((l) => !taken.has(l) && CAPTION.test(l.text) && Math.min(l.bbox[2], x1) - Math.max(l.bbox[0], x0) > 0
      && ((l.bbox[3] <= y0 + 0.3 * h && y0 - l.bbox[3] <= 2.5 * h) || (l.bbox[1] >= y1 - 0.3 * h && l.bbox[1] - y1 <= 1.5 * h)));
    if (!near.length) continue;
    const cap = near.sort((a, b) => Math.abs(a.bbox[3] - y0) - Math.abs(b.bbox[3] - y0))[0];
    taken.add(cap);
    t.table.caption = cap.text.trim();
    t.lines.push(cap);
  }
}


