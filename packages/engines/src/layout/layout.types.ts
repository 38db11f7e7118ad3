/** The contract of a layout stage (layout.stages.ts lists the stages). */
import type { Block, Line } from '@ocrflow/core';
import type { OcrEngine, OcrMode, PageOptions, RasterImage } from '../types.ts';

export interface LayoutContext {
  pageIndex: number;
  /** The upright page image the lines' coordinates refer to. */
  image: RasterImage;
  /** Lines not yet claimed by an earlier stage, as the engine returned them (not merged into rows). */
  lines: readonly Line[];
  opts: PageOptions;
  /** The page's engine (`opts.engine`, the registry's instance), for stages that read crops. */
  engine: () => Promise<OcrEngine>;
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
