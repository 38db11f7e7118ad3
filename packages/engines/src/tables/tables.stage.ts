/**
 * The `tables` layout stage: ruled and unruled tables become table blocks, and the lines inside
 * them leave the page's text (they are the cells' text now). Runs in `layout` mode only.
 */
import type { TableBlock } from '@ocrflow/core';
import type { LayoutStage } from '../layout/layout.stages.ts';
import { detectTables } from './tables.detect.ts';

export const tablesStage: LayoutStage = {
  name: 'tables',
  modes: ['layout'],
  async run(ctx) {
    const found = await detectTables(ctx.image, ctx.lines);
    if (!found.length) return null;
    const blocks: TableBlock[] = found.map((t) => ({ id: '', type: 'table', bbox: t.bbox, table: t.table }));
    return { blocks, consumed: found.flatMap((t) => t.lines) };
  },
};
