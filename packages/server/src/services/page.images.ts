/**
 * Page images of a stored document as the document model sees them (upright: EXIF orientation, a
 * straightened photo's warp from its stored parameters, and the detected rotation applied), for
 * outputs that draw on pages — the PaddleOCR-compatible images zip, the workbench's page image.
 * Decoding is `@ocrflow/engines`' own (`openDocument`), so pixels line up with the boxes.
 */
import sharp from 'sharp';
import { applyStraightening, openDocument } from '@ocrflow/engines';
import type { Page } from '@ocrflow/core';

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export interface PageImages {
  image(page: Page): Promise<RawImage>;
  close(): void;
}

export async function openPageImages(source: Buffer, opts: { maxPixels: number; maxPages: number }): Promise<PageImages> {
  const doc = await openDocument(source, opts);
  return {
    async image(page) {
      const src = await doc.renderPage(page.index);
      const extra = (((page.rotation - src.exifRotation) % 360) + 360) % 360;
      const img = page.straightened ? await applyStraightening(src.image, page.straightened) : src.image;
      const { data, width, height } = img;
      if (extra === 0) return { data, width, height, channels: 3 };
      const out = await sharp(data, { raw: { width, height, channels: 3 } })
        .rotate(extra)
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data: out.data, width: out.info.width, height: out.info.height, channels: 3 };
    },
    close: () => doc.close(),
  };
}
