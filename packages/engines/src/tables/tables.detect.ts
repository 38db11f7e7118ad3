/**
 * Table detection and structure for one page: ruled grids first (binarise → rules → grid → cells),
 * then tables without vertical rules inferred from the alignment of the remaining text. Returns the
 * tables in page coordinates and the lines they now hold (the caller keeps the rest as text).
 */
import type { BBox, Line, Point, TableCell } from '@ocrflow/core';
import { polygonToBBox } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';
import type { DetectedTable } from './tables.types.ts';
import { hollowFills, sauvola, toWorkingGray } from './ink.binarize.ts';
import { detectRulings } from './ruling.detect.ts';
import { detectFaintRulings, withFaintRulings } from './ruling.faint.ts';
import { buildGrids, type RuledGrid } from './grid.build.ts';
import { dropTextStrokes, textQuad } from './ruling.filter.ts';
import { assignText, cellText, type CellGeometry, type InkExtent, type TextPiece } from './cells.assign.ts';
import { uncoveredInk } from './cells.residue.ts';
import { unifySectionMarks } from '../paddle/recognise/enumerators.ts';
import { inferUnruledTables } from './unruled.infer.ts';
import { compactGrid } from './grid.compact.ts';
import { inkedPart, readBoxes, type BoxToRead, type ReadImage } from './cells.reread.ts';

export type { DetectedTable } from './tables.types.ts';

/** A recognised line below this confidence is a doubtful reading (the recogniser's own doubt). */
const UNSURE_READING = 0.9;

/**
 * A working image shorter than this (longer side) is enlarged: a photo sent at 400 px has rules
 * that are fractions of a pixel and gaps between rows of one or two pixels, below the detectors'
 * whole-pixel runs, and its rows would merge.
 */
const MIN_WORKING_SIDE = 1000;

export interface TableDetectOptions {
  /** Longest side of the working image for rule detection. */
  maxSide?: number;
  /** Also infer tables without vertical rules from text alignment (default true). */
  unruled?: boolean;
  /** Reads an image crop: ruled cells with ink but no text are read again, enlarged (cells.reread.ts). */
  read?: ReadImage;
}

interface WorkingMask {
  mask: Uint8Array;
  width: number;
  height: number;
  scale: number;
  textHeight: number;
}

/**
 * Give text to the ruled cells that have ink but none of the page's lines: one reading of all of
 * them, enlarged (cells.reread.ts). Mutates `cells`.
 */
async function rereadEmptyCells(g: RuledGrid, cells: TableCell[], image: RasterImage, m: WorkingMask, read: ReadImage | undefined): Promise<number> {
  const thick = Math.max(1, ...g.rows.map((b) => b.thickness), ...g.cols.map((b) => b.thickness));
  const margin = thick / 2 + 0.2 * m.textHeight;
  const inv = 1 / m.scale;
  const pad = 0.3 * m.textHeight;
  const boxes: BoxToRead[] = [];
  cells.forEach((c, i) => {
    if (c.text) return;
    const ink = inkedPart(m.mask, m.width, m.height, g.cells[i].quad, margin, m.textHeight);
    if (!ink) return;
    const box: BBox = [(ink[0] - pad) * inv, (ink[1] - pad) * inv, (ink[2] + pad) * inv, (ink[3] + pad) * inv];
    boxes.push({ key: i, box: [Math.max(0, box[0]), Math.max(0, box[1]), Math.min(image.width, box[2]), Math.min(image.height, box[3])] });
  });
  if (!boxes.length || !read) return boxes.length;
  const found = await readBoxes(image, boxes, read, { textHeight: m.textHeight * inv });
  for (const [i, lines] of found) {
    cells[i].text = cellText(lines.map((l) => ({ text: l.text.trim(), bbox: l.bbox, line: l })));
    cells[i].lines = lines;
  }
  return boxes.filter((b) => !cells[b.key].text).length;
}

/** A line read from ink beside a cell's text joins the cell only when the recogniser is this sure of it. */
const SURE_RESIDUE = 0.95;

/**
 * Read the ink beside cells' text that no line covers (cells.residue.ts) and add what is read with
 * confidence to those cells. Mutates `cells` and `pieces`.
 */
async function readUncoveredInk(
  g: RuledGrid,
  cells: TableCell[],
  pieces: Map<number, TextPiece[]>,
  image: RasterImage,
  m: WorkingMask,
  pageLines: readonly Line[],
  read: ReadImage | undefined,
): Promise<void> {
  if (!read) return;
  const thick = Math.max(1, ...g.rows.map((b) => b.thickness), ...g.cols.map((b) => b.thickness));
  const o = { scale: m.scale, textHeight: m.textHeight, margin: thick / 2 + 0.2 * m.textHeight, halfRule: thick / 2 };
  const boxes: BoxToRead[] = [];
  const cellOf: number[] = [];
  cells.forEach((c, i) => {
    if (!c.text) return;
    for (const box of uncoveredInk(m.mask, m.width, m.height, g.cells[i].quad, c.lines, o)) {
      boxes.push({ key: cellOf.length, box: [Math.max(0, box[0]), Math.max(0, box[1]), Math.min(image.width, box[2]), Math.min(image.height, box[3])] });
      cellOf.push(i);
    }
  });
  if (!boxes.length) return;
  const found = await readBoxes(image, boxes, read, { textHeight: m.textHeight / m.scale });
  // A section number read here keeps the page's mark ("2." among "1、 3、 4、"), as the page's own
  // lines do (enumerators.ts): it is judged among them.
  const sureOf = new Map<number, Line[]>();
  for (const [key, lines] of found)
    sureOf.set(
      key,
      lines.filter((l) => l.confidence >= SURE_RESIDUE && l.text.trim()),
    );
  const added = [...sureOf.values()].flat();
  const unified = unifySectionMarks([...pageLines, ...added]).slice(pageLines.length);
  const asRead = new Map(added.map((l, k) => [l, unified[k]]));
  for (const [key, lines] of sureOf) {
    const i = cellOf[key];
    const sure = lines.map((l) => asRead.get(l) ?? l);
    if (!sure.length) continue;
    const ps = pieces.get(i) ?? [];
    ps.push(...sure.map((l) => ({ text: l.text.trim(), bbox: l.bbox, line: l })));
    pieces.set(i, ps);
    cells[i].text = cellText(ps);
    cells[i].lines = [...cells[i].lines, ...sure];
  }
}

/** Height of a line from its polygon (robust to rotation), else its box. */
export function lineHeight(l: Line): number {
  const q = l.polygon;
  if (q.length === 4) return (Math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]) + Math.hypot(q[2][0] - q[1][0], q[2][1] - q[1][1])) / 2;
  return l.bbox[3] - l.bbox[1];
}

export function medianTextHeight(lines: readonly Line[], fallback: number): number {
  const hs = lines
    .filter((l) => [...l.text.trim()].length >= 2)
    .map(lineHeight)
    .sort((a, b) => a - b);
  return hs.length ? hs[hs.length >> 1] : fallback;
}

function quadOf(l: Line): Point[] {
  if (l.polygon.length === 4) return l.polygon;
  const [x0, y0, x1, y1] = l.bbox;
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

/** Cells of a ruled grid with their text, in page coordinates. */
async function tableFromGrid(
  g: RuledGrid,
  image: RasterImage,
  m: WorkingMask,
  lines: readonly Line[],
  ink: InkExtent,
  textHeight: number,
  read?: ReadImage,
): Promise<DetectedTable | null> {
  const scale = m.scale;
  const inv = 1 / scale;
  const geoms: CellGeometry[] = g.cells.map((c) => ({ quad: c.quad.map(([x, y]) => [x * inv, y * inv] as Point) }));
  const outline = [g.cells.flatMap((c) => c.quad)].map((pts) => polygonToBBox(pts.map(([x, y]) => [x * inv, y * inv] as Point)))[0];
  // Lines whose centre lies inside the table's outline belong to it.
  const inside = lines.filter((l) => {
    const cx = (l.bbox[0] + l.bbox[2]) / 2,
      cy = (l.bbox[1] + l.bbox[3]) / 2;
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
  // Crossing lines with (almost) no printed text in their boxes are wood grain, fabric or a ruler
  // beside the sheet, not a table; a real form has text in at least some of its boxes. Text too
  // small for the page's reading is looked for in the boxes first (cells.reread.ts), but only where
  // the page's reading found some text inside the grid at all.
  const withText = () => cells.filter((c) => c.text).length;
  if (withText() === 0) return null;
  const unread = await rereadEmptyCells(g, cells, image, m, read);
  await readUncoveredInk(g, cells, pieces, image, m, lines, read);
  // Text too small or blurred to read (a photo sent at a few hundred pixels) does not take the
  // grid with it: the printed boxes stay, empty or with what could be read, and the page says so.
  const doubtful = inside.filter((l) => l.confidence < UNSURE_READING).length;
  const unreadable = unread > 0.25 * cells.length || (inside.length > 0 && doubtful >= 0.25 * inside.length);
  if (withText() < Math.max(2, 0.15 * cells.length)) return null;
  // One printed rule found as two grid lines (a bent page) is one column again; distinct printed
  // positions stay distinct columns (grid.compact.ts). Blank boxes stay: they are part of the form.
  const nr = g.rows.length - 1,
    nc = g.cols.length - 1;
  const compact = compactGrid(nr, nc, cells, boundaryPositions(g, 0, inv), boundaryPositions(g, 1, inv), 0.5 * textHeight);
  return {
    bbox: roundBox(outline),
    table: { n_rows: compact.n_rows, n_cols: compact.n_cols, cells: compact.cells, ruled: true },
    lines: inside,
    unreadable,
  };
}

/**
 * Where each grid line (0..n) of one axis lies (page pixels), comparable across sections: measured
 * where the cells use it (the middle of their edges), then carried along the table's common slant
 * to one reference line. A rotated photo moves a rule's x with its height; a line's own fitted
 * slope, extrapolated from a short section, is too noisy for that.
 */
function boundaryPositions(g: RuledGrid, axis: 0 | 1, inv: number): number[] {
  const bs = axis === 0 ? g.cols : g.rows;
  const slopes = bs
    .filter((b) => !b.virtual)
    .map((b) => b.slope)
    .sort((a, b) => a - b);
  const slope = slopes.length ? slopes[slopes.length >> 1] : 0;
  const ref = bs[0]?.ref ?? 0;
  const sum = new Array<number>(bs.length).fill(0),
    cnt = new Array<number>(bs.length).fill(0);
  const add = (line: number, a: Point, b: Point) => {
    // cross = x for columns (along y), y for rows (along x)
    const cross = axis === 0 ? (a[0] + b[0]) / 2 : (a[1] + b[1]) / 2;
    const along = axis === 0 ? (a[1] + b[1]) / 2 : (a[0] + b[0]) / 2;
    sum[line] += cross - slope * (along - ref);
    cnt[line]++;
  };
  for (const c of g.cells) {
    const [tl, tr, br, bl] = c.quad;
    if (axis === 0) {
      add(c.col, tl, bl);
      add(c.col + c.col_span, tr, br);
    } else {
      add(c.row, tl, tr);
      add(c.row + c.row_span, bl, br);
    }
  }
  return bs.map((b, i) => (cnt[i] ? sum[i] / cnt[i] : b.pos) * inv);
}

/** Ink extent over page-pixel boxes, read from the working mask. */
function inkExtent(mask: Uint8Array, w: number, h: number, scale: number): InkExtent {
  return (x0, x1, y0, y1) => {
    const a = Math.max(0, Math.floor(x0 * scale)),
      b = Math.min(w - 1, Math.ceil(x1 * scale));
    const c = Math.max(0, Math.floor(y0 * scale)),
      d = Math.min(h - 1, Math.ceil(y1 * scale));
    let first = -1,
      last = -1;
    for (let x = a; x <= b; x++) {
      for (let y = c; y <= d; y++) {
        if (mask[y * w + x]) {
          if (first < 0) first = x;
          last = x;
          break;
        }
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
  const { gray, scale } = await toWorkingGray(image, opts.maxSide ?? 2000, MIN_WORKING_SIDE);
  const th = Math.max(4, textHeightPage * scale);
  const W = gray.width,
    H = gray.height;
  const maxThickness = Math.max(5, th * 0.45);
  const mask = hollowFills(sauvola(gray), W, H, maxThickness);
  const inked = detectRulings(mask, W, H, {
    minRun: Math.max(12, Math.round(th * 1.3)),
    minLength: Math.max(16, th * 1.6),
    maxThickness,
    maxGap: Math.max(5, th * 0.6),
    maxSegments: 1500,
  });
  const texts = lines.map((l) => textQuad(quadOf(l).map(([x, y]) => [x * scale, y * scale] as Point)));
  // Rules too faint for the ink mask, found by their profile (ruling.faint.ts).
  const rulings = withFaintRulings(inked, detectFaintRulings(gray, { textHeight: th, texts }), Math.max(5, th * 0.6));
  const grids = buildGrids(rulings, { textHeight: th, mask, width: W, height: H, texts });
  const ink = inkExtent(mask, W, H, scale);
  const found: DetectedTable[] = [];
  const used = new Set<Line>();
  for (const g of grids) {
    const t = await tableFromGrid(
      g,
      image,
      { mask, width: W, height: H, scale, textHeight: th },
      lines.filter((l) => !used.has(l)),
      ink,
      textHeightPage,
      opts.read,
    );
    if (!t) continue;
    t.lines.forEach((l) => used.add(l));
    found.push(t);
  }
  if (opts.unruled !== false) {
    const rest = lines.filter((l) => !used.has(l));
    // Faint rules build ruled grids only: the layout of an unruled table is read from its printed
    // rules as the ink mask sees them (its header and group rules were tuned on those).
    const strokesGone = dropTextStrokes(inked.horizontal, [], texts, th).h;
    const hRules = strokesGone.map((s) => ({ x0: s.a0 / scale, x1: s.a1 / scale, y: (s.c + (s.slope * (s.a0 + s.a1)) / 2) / scale }));
    for (const t of inferUnruledTables(rest, { textHeight: textHeightPage, rules: hRules, pageWidth: image.width })) found.push(t);
  }
  attachCaptions(
    found,
    lines.filter((l) => !found.some((t) => t.lines.includes(l))),
    textHeightPage,
  );
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
    const near = free.filter(
      (l) =>
        !taken.has(l) &&
        CAPTION.test(l.text) &&
        Math.min(l.bbox[2], x1) - Math.max(l.bbox[0], x0) > 0 &&
        ((l.bbox[3] <= y0 + 0.3 * h && y0 - l.bbox[3] <= 2.5 * h) || (l.bbox[1] >= y1 - 0.3 * h && l.bbox[1] - y1 <= 1.5 * h)),
    );
    if (!near.length) continue;
    const cap = near.sort((a, b) => Math.abs(a.bbox[3] - y0) - Math.abs(b.bbox[3] - y0))[0];
    taken.add(cap);
    t.table.caption = cap.text.trim();
    t.lines.push(cap);
  }
}
