/**
 * Cheap validation of an uploaded document, run at submission time: type by magic bytes, pixel
 * size from the header (a 30000×30000 "pixel bomb" is refused before anything is decoded), then a
 * real decode at thumbnail size so truncated or corrupt files fail now, not later in a worker.
 * JPEG decoding shrinks on load, so the check costs a fraction of a full decode.
 */
import sharp, { type Metadata } from 'sharp';
import { OcrflowError } from '@ocrflow/core';
import type { DocumentInfo, OpenOptions } from '../types.ts';
import { sniffMime } from './document.sniff.ts';
import { openPdf } from './pdf.source.ts';

export const DEFAULT_OPEN_OPTIONS: OpenOptions = { maxPixels: 178956970, maxPages: 1000 };

export async function inspectDocument(data: Uint8Array, opts: Partial<OpenOptions> = {}): Promise<DocumentInfo> {
  const o = { ...DEFAULT_OPEN_OPTIONS, ...opts };
  if (data.length === 0) throw new OcrflowError('OCRFLOW_ERR_EMPTY_FILE', 'The file is empty');
  const mime = sniffMime(data);
  if (!mime) throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'The file is not a PNG, JPEG, WebP, TIFF, BMP or PDF document');
  if (mime === 'application/pdf') {
    const pdf = await openPdf(data, o);
    try {
      return pdf.info;
    } finally {
      pdf.close();
    }
  }
  const { width, height, pages } = await imageHeader(data, o.maxPixels);
  await verifyDecodes(data, o.maxPixels);
  return { mime, pageCount: Math.max(1, pages), width, height };
}

/** Header dimensions only; refuses pixel bombs before decoding. */
export async function imageHeader(data: Uint8Array, maxPixels: number): Promise<{ width: number; height: number; pages: number; orientation?: number }> {
  let meta: Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', 'The image header cannot be read: the file is corrupt or truncated', undefined, { cause: e });
  }
  const width = meta.width ?? 0,
    height = meta.height ?? 0;
  if (!width || !height) throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', 'The image header has no dimensions');
  if (width * height > maxPixels)
    throw new OcrflowError('OCRFLOW_ERR_IMAGE_TOO_LARGE', `The image is ${width}×${height} pixels, more than the limit of ${maxPixels}`, {
      width,
      height,
      max_pixels: maxPixels,
    });
  // Multi-page TIFFs: only the first page is read (pages beyond it are rare in OCR uploads).
  return { width, height, pages: 1, orientation: meta.orientation };
}

/** Decode the whole image at thumbnail size; truncated or corrupt data throws CORRUPT_FILE. */
export async function verifyDecodes(data: Uint8Array, maxPixels: number): Promise<void> {
  try {
    await sharp(data, { failOn: 'truncated', limitInputPixels: maxPixels }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch (e) {
    throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', 'The image cannot be decoded: the file is corrupt or truncated', undefined, { cause: e });
  }
}
