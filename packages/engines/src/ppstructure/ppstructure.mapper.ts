/**
 * PP-Structure `parsing_res_list` → blocks of the document model. Labels go through the shared
 * label map, HTML tables through the shared table parser (spans kept), and boxes are scaled from the
 * service's page size to ours (the image may have been shrunk for the upload, or the service may
 * report the size it resized to).
 */
import type { BBox } from '@ocrflow/core';
import { buildBlocks, type BuiltBlocks } from '../markup/blocks.build.ts';
import type { MarkupSegment } from '../markup/markdown.segments.ts';
import type { PpStructurePage } from './ppstructure.client.ts';

export interface MapOptions {
  /** Our page size in pixels. */
  width: number;
  height: number;
  /** Size of the image the service received, used when the result does not say its own. */
  sentWidth: number;
  sentHeight: number;
}

function validBox(b: unknown): b is number[] {
  return Array.isArray(b) && b.length >= 4 && b.slice(0, 4).every((v) => typeof v === 'number' && Number.isFinite(v));
}

export function ppPageToBlocks(page: PpStructurePage, o: MapOptions): BuiltBlocks {
  const sw = page.width && page.width > 0 ? page.width : o.sentWidth;
  const sh = page.height && page.height > 0 ? page.height : o.sentHeight;
  const sx = o.width / sw;
  const sy = o.height / sh;
  const list = [...(page.parsing_res_list ?? [])];
  // The list is in reading order; an explicit block_order (when every block has one) wins.
  if (list.length && list.every((b) => typeof b.block_order === 'number')) list.sort((a, b) => (a.block_order as number) - (b.block_order as number));
  const segments: MarkupSegment[] = list.map((b) => {
    const boxes: BBox[] = [];
    if (validBox(b.block_bbox)) {
      const [x0, y0, x1, y1] = b.block_bbox;
      const box: BBox = [
        Math.max(0, Math.min(x0, x1) * sx),
        Math.max(0, Math.min(y0, y1) * sy),
        Math.min(o.width, Math.max(x0, x1) * sx),
        Math.min(o.height, Math.max(y0, y1) * sy),
      ];
      if (box[2] > box[0] && box[3] > box[1]) boxes.push(box);
    }
    return { label: b.block_label || 'text', modelLabel: true, boxes, content: b.block_content ?? '' };
  });
  return buildBlocks(segments, { width: o.width, height: o.height });
}
