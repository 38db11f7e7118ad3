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
}

export interface EnginePageResult {
  /** Recognised lines in page coordinates (any order; the pipeline orders them). */
  lines: Line[];
  /** Set by engines that produce their own layout; the pipeline then keeps these blocks. */
  blocks?: Block[];
  /** Per-stage timings in milliseconds. */
  timings_ms: Record<string, number>;
  flags?: string[];
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
  health(): Promise<EngineHealth>;
  /** Release native sessions, workers and sockets. */
  dispose(): Promise<void>;
}
