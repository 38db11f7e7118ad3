/**
 * The `tables` layout stage: ruled and unruled tables become table blocks, and the lines inside
 * them leave the page's text (they are the cells' text now). Runs in `layout` mode only.
 */
import type { TableBlock } from '@ocrflow/core';
import type { LayoutStage } from '../layout/layout.types.ts';
import { detectTables } from './tables.detect.ts';
import type { ReadImage } from './cells.reread.ts';

/**
 * The page's own engine reads enlarged crops of cells that came out empty (cells.reread.ts): the
 * pipeline hands the stage the instance that read the page (a text-layer page: the one it names). Only local engines: a remote or VLM engine
 * brings its own tables, and one more request per page is not worth a few digits.
 */
function cropReader(ctx: Parameters<LayoutStage['run']>[0]): ReadImage | undefined {
  if (ctx.opts.engine !== 'paddle') return undefined;
  return async (image) => {
    const engine = await ctx.engine();
    return (await engine.recognize(image, { ...ctx.opts, autoRotate: false })).lines;
  };
}

/** Page flag: a table's boxes were found but much of its text is doubtful or unread. */
const TABLE_TEXT_UNREADABLE = 'table_text_unreadable';

export const tablesStage: LayoutStage = {
  name: 'tables',
  modes: ['layout'],
  async run(ctx) {
    const found = await detectTables(ctx.image, ctx.lines, { read: cropReader(ctx) });
    if (!found.length) return null;
    const blocks: TableBlock[] = found.map((t) => ({ id: '', type: 'table', bbox: t.bbox, table: t.table }));
    // The grid of a table whose text could not be read reliably is kept; the page says so.
    const flags = found.some((t) => t.unreadable) ? [TABLE_TEXT_UNREADABLE] : undefined;
    return { blocks, consumed: found.flatMap((t) => t.lines), ...(flags ? { flags } : {}) };
  },
};
