/**
 * Contracts between the pipeline and the OCR engines. Engines never know about HTTP, jobs or
 * storage: they get an upright page image and give back lines (and, for engines that do their own
 * layout such as a VLM or PP-Structure, blocks) in that image's pixel coordinates.
 */
import type { Block, EngineName, Line } from '@ocrflow/core';

/** Raw interleaved RGB pixels, already upright (EXIF applied). */
export interface RasterImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/**
 * `layout`: text, reading order, layout blocks and tables (the default).
 * `text`: lines of text in reading order only (faster: no table structure).
 */
export type OcrMode = 'layout' | 'text';
export const OCR_MODES: readonly OcrMode[] = ['layout', 'text'];

export interface RecognizeOptions {
  languages: string[];
  mode: OcrMode;
  /** Free-form prompt for VLM engines (a job's `prompt` field); ignored by the others. */
  prompt?: string;
  signal?: AbortSignal;
  /**
   * Let the engine find the page orientation (0/90/180/270) and read it upright; default true.
   * The rotation it applied comes back in `EnginePageResult.rotation`.
   */
  autoRotate?: boolean;
  /**
   * Text boxes already found on a reduced copy of this page (`OcrEngine.planPage`), corners as
   * fractions of the page's width and height: the engine may use them instead of detecting again.
   */
  textBoxes?: readonly TextBoxHint[];
}

/** A detected text box, tl, tr, br, bl as fractions (0–1) of the page's width and height. */
export interface TextBoxHint {
  quad: [number, number][];
  score: number;
}

/** What an engine decided from a reduced copy of a big page (see `OcrEngine.planPage`). */
export interface PagePlan {
  /** Working scale for the page (≤ 1): the fraction of its stored size the text needs. */
  scale: number;
  /** The text boxes found on the copy, to hand back through `RecognizeOptions.textBoxes`. */
  textBoxes?: TextBoxHint[];
}

export interface EnginePageResult {
  /** Recognised lines in page coordinates (any order; the pipeline orders them). */
  lines: Line[];
  /** Set by engines that produce their own layout; the pipeline then keeps these blocks. */
  blocks?: Block[];
  /** Per-stage timings in milliseconds. */
  timings_ms: Record<string, number>;
  flags?: string[];
  /**
   * Clockwise rotation the engine applied to the image before reading it (orientation detection);
   * when set, `lines` and `blocks` are in the coordinates of the rotated image.
   */
  rotation?: 0 | 90 | 180 | 270;
  /** The engine that read the page, when a wrapper handed it to another one (`withFallback`). */
  engine?: EngineName;
}

export interface EngineHealth {
  name: EngineName;
  ok: boolean;
  /** Human readable: model versions, endpoint, or why it is not ok. */
  detail: string;
}

export interface OcrEngine {
  readonly name: EngineName;
  recognize(image: RasterImage, opts: RecognizeOptions): Promise<EnginePageResult>;
  /**
   * Engines that can read a page at less than its stored resolution say how many pixels a copy
   * needs (`previewPixels`) to measure the text, and `planPage` measures it on such a copy of a
   * page `fullWidth` × `fullHeight` pixels big. The pipeline then decodes the page at the plan's
   * scale (big JPEGs shrink on load) instead of at full size.
   */
  readonly previewPixels?: number;
  planPage?(preview: RasterImage, fullWidth: number, fullHeight: number, opts: RecognizeOptions): Promise<PagePlan>;
  health(): Promise<EngineHealth>;
  /**
   * Resolves when every model the engine may need is loaded. Engines that load some models in the
   * background (`paddle`) have it; a worker thread waits for it before it reports itself ready,
   * so the thread is never ended while a native load is in flight.
   */
  ready?(): Promise<void>;
  /** Release native sessions, workers and sockets. */
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The pipeline API the server's workers and the CLI call (implemented under `pipeline/`, exported
// from the package index):
//
//   inspectDocument(data, opts): Promise<DocumentInfo>
//       Cheap validation at submission time: magic-byte sniffing, header dimensions (pixel bombs
//       are refused before any decoding), PDF page count. Throws OcrflowError with
//       OCRFLOW_ERR_EMPTY_FILE | OCRFLOW_ERR_UNSUPPORTED_MEDIA | OCRFLOW_ERR_IMAGE_TOO_LARGE |
//       OCRFLOW_ERR_CORRUPT_FILE.
//   openDocument(data, opts): Promise<SourceDocument>
//       Decode for processing; pages are rendered one at a time (memory stays flat on long PDFs).
//   processPage(page, opts): Promise<Page>
//       Orientation, the engine, reading order, layout blocks and (mode 'layout') tables.
//   runDocument(data, opts): Promise<OcrDocument>
//       All of the above for one document (CLI scan, eval); `onPage` reports progress.
//   assembleDocument(pages, meta): OcrDocument
//       The document from per-page results (a job stores pages as they finish and resumes).
// ---------------------------------------------------------------------------------------------

export type SupportedMime = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/tiff' | 'image/bmp' | 'application/pdf';

export interface OpenOptions {
  /** Largest width*height accepted (config maxPixels). */
  maxPixels: number;
  /** Most pages accepted (config maxPages). */
  maxPages: number;
}

export interface DocumentInfo {
  mime: SupportedMime;
  pageCount: number;
  /** Pixel size of the first page as stored (before EXIF rotation); PDFs: at render resolution. */
  width: number;
  height: number;
}

export interface SourcePage {
  index: number;
  /** Upright after EXIF orientation. */
  image: RasterImage;
  /** Where the page comes from: only image files may be photos that need straightening. */
  kind?: 'image' | 'pdf';
  /** Clockwise rotation already applied from EXIF. */
  exifRotation: 0 | 90 | 180 | 270;
  /** Lines of a PDF text layer that passed the sanity check (then OCR is skipped for the page). */
  textLayer?: Line[];
  /** Flags found while rendering, e.g. `text_layer_rejected`, `downscaled`. */
  flags: string[];
  /** Set when decoded below the stored size: the upright page's full size, which results report. */
  fullSize?: { width: number; height: number };
}

export interface RenderOptions {
  /**
   * Decode at this fraction of the stored size (images; JPEG shrinks on load, the rest is
   * resampled with lanczos3). Ignored by PDFs, which are rendered at their own resolution.
   */
  scale?: number;
}

export interface SourceDocument {
  readonly info: DocumentInfo;
  renderPage(index: number, opts?: RenderOptions): Promise<SourcePage>;
  close(): void;
}

export interface PageOptions extends RecognizeOptions {
  engine: EngineName;
  /** Straighten a photographed page before reading it (default: config `straighten`). */
  straighten?: boolean;
}
