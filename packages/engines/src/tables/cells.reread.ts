/**
 * A second reading of ruled cells that hold ink but received no text.
 *
 * A page-level text detector works on the page shrunk to its pixel budget; on a phone photo of a
 * dense form the lone digits of a timesheet ("8", "休", "√") fall below what it can see at that
 * scale, and whole columns of a table come out empty although the ink is plainly there. The grid
 * says where each box is, so the boxes that have ink and no text are cut out, enlarged so their text
 * is of a size the detector reads reliably, laid side by side on one white sheet (one engine call
 * for all of them, not one per cell), and read. Each line read on the sheet goes back to the box it
 * was laid from, in page coordinates.
 */
import sharp from 'sharp';
import type { BBox, Line, Point } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';

/** Reads an upright image (the page's engine, without orientation search). */
export type ReadImage = (image: RasterImage) => Promise<readonly Line[]>;

export interface BoxToRead {
  /** The caller's key (the cell's index). */
  key: number;
  /** The box's inked part, in page pixels. */
  box: BBox;
}

export interface ReadOptions {
  /** Typical text height on the page (page pixels). */
  textHeight: number;
  /** Text height on the sheet: comfortably above what the detector needs. */
  targetTextHeight?: number;
  /** Pixel budget of one sheet; more boxes make more sheets. */
  maxSheetPixels?: number;
  sheetWidth?: number;
}

interface Placed {
  key: number;
  box: BBox;
  k: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Shelf packing of scaled boxes onto sheets of a fixed width. */
function layout(boxes: readonly BoxToRead[], k: number, gap: number, sheetWidth: number, maxPixels: number): Placed[][] {
  const sheets: Placed[][] = [];
  let cur: Placed[] = [];
  let x = gap,
    y = gap,
    shelf = 0;
  for (const b of boxes) {
    // A box wider than the sheet is read smaller rather than not at all.
    const kk = Math.min(k, (sheetWidth - 2 * gap) / Math.max(1, b.box[2] - b.box[0]));
    const w = Math.max(1, Math.round((b.box[2] - b.box[0]) * kk)),
      h = Math.max(1, Math.round((b.box[3] - b.box[1]) * kk));
    if (x + w + gap > sheetWidth) {
      x = gap;
      y += shelf + gap;
      shelf = 0;
    }
    if (cur.length && (y + h + gap) * sheetWidth > maxPixels) {
      sheets.push(cur);
      cur = [];
      x = gap;
      y = gap;
      shelf = 0;
    }
    cur.push({ key: b.key, box: b.box, k: kk, x, y, w, h });
    x += w + gap;
    shelf = Math.max(shelf, h);
  }
  if (cur.length) sheets.push(cur);
  return sheets;
}

async function renderSheet(image: RasterImage, placed: readonly Placed[], width: number, gap: number): Promise<RasterImage> {
  const height = Math.max(...placed.map((p) => p.y + p.h)) + gap;
  const parts = await Promise.all(
    placed.map(async (p) => {
      // Copy the box's rows out of the page here: a sharp pipeline per box over the whole page
      // would read the full raster once per box.
      const left = Math.max(0, Math.floor(p.box[0])),
        top = Math.max(0, Math.floor(p.box[1]));
      const w = Math.max(1, Math.min(image.width - left, Math.ceil(p.box[2] - p.box[0])));
      const h = Math.max(1, Math.min(image.height - top, Math.ceil(p.box[3] - p.box[1])));
      const crop = Buffer.allocUnsafe(w * h * 3);
      for (let y = 0; y < h; y++) image.data.copy(crop, y * w * 3, ((top + y) * image.width + left) * 3, ((top + y) * image.width + left + w) * 3);
      const input = await sharp(crop, { raw: { width: w, height: h, channels: 3 } })
        .resize(p.w, p.h, { fit: 'fill', kernel: 'cubic' })
        .png({ compressionLevel: 0 })
        .toBuffer();
      return { input, left: p.x, top: p.y };
    }),
  );
  const { data } = await sharp({ create: { width, height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(parts)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width, height, channels: 3 };
}

/** Lines read in each box, in page coordinates, keyed by the box's key. */
export async function readBoxes(image: RasterImage, boxes: readonly BoxToRead[], read: ReadImage, o: ReadOptions): Promise<Map<number, Line[]>> {
  const out = new Map<number, Line[]>();
  if (!boxes.length) return out;
  const k = Math.max(1, (o.targetTextHeight ?? 32) / Math.max(1, o.textHeight));
  const gap = Math.round(o.targetTextHeight ?? 32);
  const width = o.sheetWidth ?? 1600;
  const sheets = layout(boxes, k, gap, width, o.maxSheetPixels ?? 1_400_000);
  for (const sheet of sheets) {
    const img = await renderSheet(image, sheet, width, gap);
    for (const l of await read(img)) {
      const cx = (l.bbox[0] + l.bbox[2]) / 2,
        cy = (l.bbox[1] + l.bbox[3]) / 2;
      const p = sheet.find((q) => cx >= q.x && cx < q.x + q.w && cy >= q.y && cy < q.y + q.h);
      if (!p || !l.text.trim()) continue;
      const back = ([x, y]: Point): Point => [p.box[0] + (x - p.x) / p.k, p.box[1] + (y - p.y) / p.k];
      const bbox = [...back([l.bbox[0], l.bbox[1]]), ...back([l.bbox[2], l.bbox[3]])].map((v) => Math.round(v)) as BBox;
      const line: Line = {
        text: l.text,
        bbox,
        polygon: l.polygon.map(back),
        confidence: l.confidence,
        words: l.words.map((w) => ({ ...w, bbox: [...back([w.bbox[0], w.bbox[1]]), ...back([w.bbox[2], w.bbox[3]])].map((v) => Math.round(v)) as BBox })),
      };
      let arr = out.get(p.key);
      if (!arr) out.set(p.key, (arr = []));
      arr.push(line);
    }
  }
  return out;
}

/**
 * The inked part of a cell's interior in the working mask (working pixels), or null when the box
 * is blank. `margin` keeps the cell's own rules out; what remains of a rule (a bowed line leaving the
 * straight quad) is a thin stroke as long as the box, which is not text.
 */
export function inkedPart(mask: Uint8Array, w: number, h: number, quad: readonly Point[], margin: number, textHeight: number): BBox | null {
  const xs = quad.map((p) => p[0]),
    ys = quad.map((p) => p[1]);
  // The quad's inner rectangle: the larger of the two left x, the smaller of the two right x, …
  const x0 = Math.max(0, Math.ceil(Math.max(xs[0], xs[3]) + margin)),
    x1 = Math.min(w - 1, Math.floor(Math.min(xs[1], xs[2]) - margin));
  const y0 = Math.max(0, Math.ceil(Math.max(ys[0], ys[1]) + margin)),
    y1 = Math.min(h - 1, Math.floor(Math.min(ys[2], ys[3]) - margin));
  if (x1 - x0 < 0.3 * textHeight || y1 - y0 < 0.3 * textHeight) return null;
  let n = 0,
    bx0 = Infinity,
    bx1 = -1,
    by0 = Infinity,
    by1 = -1;
  for (let y = y0; y <= y1; y++) {
    const row = y * w;
    for (let x = x0; x <= x1; x++) {
      if (!mask[row + x]) continue;
      n++;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
    }
  }
  if (n < Math.max(4, 0.05 * textHeight * textHeight)) return null;
  const bw = bx1 - bx0 + 1,
    bh = by1 - by0 + 1;
  if (bh < 0.35 * textHeight) return null; // a dot, a speck of noise or a horizontal rule's edge
  if (bw < 0.25 * textHeight && bh > 0.9 * (y1 - y0)) return null; // a vertical rule's edge
  if (bh > 2.5 * textHeight && bw > 2.5 * textHeight && n > 0.5 * bw * bh) return null; // a filled area or picture
  return [bx0, by0, bx1 + 1, by1 + 1];
}
