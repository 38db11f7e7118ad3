/**
 * Page layout stages that turn some of a page's lines into structured blocks (tables, figures, ...)
 * before the remaining lines are ordered into text blocks. Each stage is registered here once:
 * adding one is one import and one entry in LAYOUT_STAGES. Stages run in order; a stage sees only
 * the lines no earlier stage consumed.
 */
import type { Block, Line } from '@ocrflow/core';
import type { OcrMode, PageOptions, RasterImage } from '../types.ts';
// Table detection and structure: ruled grids and unruled tables become table blocks.
import { tablesStage } from '../tables/tables.stage.ts';

export interface LayoutContext {
  pageIndex: number;
  /** The upright page image the lines' coordinates refer to. */
  image: RasterImage;
  /** Lines not yet claimed by an earlier stage, as the engine returned them (not merged into rows). */
  lines: readonly Line[];
  opts: PageOptions;
}

export interface LayoutStageResult {
  /** New blocks (ids are assigned later, in reading order). */
  blocks: Block[];
  /** Lines now represented by those blocks; they are not repeated as text. */
  consumed: readonly Line[];
  flags?: string[];
}

export interface LayoutStage {
  name: string;
  /** Modes the stage runs in (`text` mode skips table structure). */
  modes: readonly OcrMode[];
  run(ctx: LayoutContext): Promise<LayoutStageResult | null>;
}

export const LAYOUT_STAGES: LayoutStage[] = [tablesStage];
