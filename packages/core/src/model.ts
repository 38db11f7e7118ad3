/**
 * The one document model of ocrflow.
 *
 * Every engine (paddle, tesseract, vlm, ppstructure) produces it, and every output (JSON, Markdown,
 * text, HTML, XLSX, the PaddleOCR and DeepSeek compatibility shapes, the workbench sheets) is a pure
 * function of it. Field names are snake_case because this object is also the public JSON result.
 *
 * Coordinates are pixels of the page image *after* orientation correction (the image a person sees
 * upright), origin top-left, x to the right, y down.
 */

/** Axis-aligned box: [x0, y0, x1, y1], x0 <= x1, y0 <= y1. */
export type BBox = [number, number, number, number];
/** A point [x, y]. */
export type Point = [number, number];

/** A recognised word (white-space separated token) inside a line. */
export interface Word {
  text: string;
  bbox: BBox;
  /** 0..1 */
  confidence: number;
}

/** A recognised text line: the unit a detector finds and a recogniser reads. */
export interface Line {
  text: string;
  bbox: BBox;
  /** Quadrilateral (or longer polygon) around the line, clockwise from top-left. */
  polygon: Point[];
  /** 0..1 */
  confidence: number;
  /** Word boxes where the engine can tell them (CTC alignment, tesseract words); may be empty. */
  words: Word[];
}

/** Block types of the layout. Closed set: engines map their own labels onto it. */
export type TextBlockType = 'title' | 'heading' | 'text' | 'list' | 'caption' | 'header' | 'footer' | 'footnote' | 'code';
export type BlockType = TextBlockType | 'table' | 'figure' | 'formula';

interface BlockBase {
  /** Stable within the document: `p{page}-b{n}`. */
  id: string;
  bbox: BBox;
  /** The label the engine used, when it had its own (e.g. DeepSeek `sub_title`, PP-Structure `doc_title`). */
  source_label?: string;
  /** Quality flags, e.g. `vlm_repetition`, `fallback_engine`. */
  flags?: string[];
}

export interface TextBlock extends BlockBase {
  type: TextBlockType;
  /** Heading level for `title` (1) and `heading` (2..6). */
  level?: number;
  lines: Line[];
  /** Lines joined with '\n' (kept in sync by the builders in `build.ts`). */
  text: string;
}

export interface FormulaBlock extends BlockBase {
  type: 'formula';
  /** LaTeX source, verbatim. */
  latex: string;
  lines: Line[];
}

export interface FigureBlock extends BlockBase {
  type: 'figure';
  caption?: string;
  /** Text found inside the figure, if any. */
  lines: Line[];
}

/** One cell of a table grid. Spans are >= 1; a merged cell appears once, at its top-left slot. */
export interface TableCell {
  row: number;
  col: number;
  row_span: number;
  col_span: number;
  /** Null when the engine gave no geometry (e.g. an HTML table from a VLM without boxes). */
  bbox: BBox | null;
  text: string;
  lines: Line[];
  /** True for header cells (`<th>`/first row of a ruled table with a header style). */
  header?: boolean;
  /**
   * 0..1, the lowest confidence of the words inside: a cell is as doubtful as its most doubtful
   * word. Null when there is no score to give — the engine has none (vlm, ppstructure, a PDF text
   * layer) or the cell is empty; absent in documents written before cells had one.
   */
  confidence?: number | null;
}

export interface Table {
  n_rows: number;
  n_cols: number;
  cells: TableCell[];
  caption?: string;
  /** True when the structure came from ruling lines, false when inferred from text alignment or a model. */
  ruled: boolean;
  /**
   * Set on the first part of a table that continues on the following page(s): the parts that were
   * joined to it, in order (outputs show them as one table: one sheet, one HTML/Markdown table).
   */
  joined?: TableJoinPart[];
}

/** A later part of a joined table: where it is, and the rows it adds. */
export interface TableJoinPart {
  /** 0-based page index. */
  page: number;
  /** Its block id (`p{page}-b{n}`); that block says `continues`. */
  block: string;
  /** Leading rows not added because they repeat the table's header. */
  header_rows_skipped: number;
  /** Rows it adds. */
  rows: number;
}

export interface TableBlock extends BlockBase {
  type: 'table';
  table: Table;
  /** This table continues the one in block `continues` (on an earlier page): see `Table.joined`. */
  continues?: string;
}

export type Block = TextBlock | FormulaBlock | FigureBlock | TableBlock;

/** Where a page's content came from. */
export type PageSource = 'ocr' | 'text-layer' | 'vlm' | 'remote';

export interface Page {
  /** 0-based page index within the document. */
  index: number;
  width: number;
  height: number;
  /**
   * Clockwise rotation (degrees) that was applied to the decoded image to make it upright
   * (EXIF orientation and detected orientation combined).
   */
  rotation: 0 | 90 | 180 | 270;
  /** Residual skew that was measured, in degrees (positive = clockwise), if any. */
  skew_deg?: number;
  /**
   * Set when the page is a straightened cut of a photo (the sheet found, its perspective, bending
   * and uneven light corrected): `width`/`height` and every box then refer to the straightened
   * page, not to the photo. Absent for scans, PDFs and photos left as they were.
   */
  straightened?: PageStraightening;
  source: PageSource;
  engine: string;
  /** Blocks in reading order. */
  blocks: Block[];
  /** Page-level quality flags, e.g. `text_layer_rejected`, `vlm_fallback`. */
  flags: string[];
  /** Per-stage timings in milliseconds (decode, detect, recognise, layout, tables, ...). */
  timings_ms: Record<string, number>;
}

/** How a page was cut out of a photo; enough to rebuild the same page image from the photo. */
export interface PageStraightening {
  /** Size of the photo, upright after EXIF orientation, the page was cut from. */
  source_width: number;
  source_height: number;
  /** Size of the straightened page before any 90° orientation turn of the engine. */
  width: number;
  height: number;
  /**
   * What the page was aligned on: the sheet's edges, or (when they are not in the picture) a
   * ruled table's outer frame — then the page is the whole photo seen square to that frame.
   */
  method: 'sheet' | 'frame';
  /** The sheet's (or frame's) corners in the photo, top-left, top-right, bottom-right, bottom-left. */
  corners: Point[];
  /**
   * Row-major 3×3 homography mapping a point of the straightened page (pixels, before its bend
   * correction) to the photo's pixels; the inverse maps photo positions onto the page.
   */
  homography: number[];
  /**
   * The bend correction: each side's residual from a straight side, a polynomial over s = 2t − 1
   * (t along the side, 0..1), in units of the page side, lowest degree first.
   */
  bend: { top: number[]; bottom: number[]; left: number[]; right: number[] };
  /** Largest bend corrected, in page pixels. */
  bend_px: number;
  /** Paper brightness was evened out (shadows, uneven light, colour cast). */
  light_flattened: boolean;
}

export interface DocumentMeta {
  engine: string;
  languages: string[];
  mime: string;
  filename?: string;
  page_count: number;
}

export interface OcrDocument {
  schema: 'ocrflow.document/1';
  meta: DocumentMeta;
  pages: Page[];
}

export const DOCUMENT_SCHEMA = 'ocrflow.document/1' as const;

export function isTableBlock(b: Block): b is TableBlock {
  return b.type === 'table';
}

export function isTextBlock(b: Block): b is TextBlock {
  return b.type !== 'table' && b.type !== 'figure' && b.type !== 'formula';
}
