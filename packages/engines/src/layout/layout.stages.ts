/**
 * Page layout stages that turn some of a page's lines into structured blocks (tables, figures, ...)
 * before the remaining lines are ordered into text blocks. Each stage is registered here once:
 * adding one is one import and one entry in LAYOUT_STAGES. Stages run in order; a stage sees only
 * the lines no earlier stage consumed.
 */
import type { LayoutStage } from './layout.types.ts';
// Table detection and structure: ruled grids and unruled tables become table blocks.
import { tablesStage } from '../tables/tables.stage.ts';

export type { LayoutContext, LayoutStage, LayoutStageResult } from './layout.types.ts';

export const LAYOUT_STAGES: LayoutStage[] = [tablesStage];
