/**
 * Decoding for processing. Images: one decode with sharp, EXIF orientation applied (phone photos
 * are stored sideways with a tag saying so), alpha flattened on white, to 8-bit RGB. PDFs: one page
 * rendered at a time by mupdf.
 */
import sharp from 'sharp';
import { OcrflowError } from '@ocrflow/core';
import type { OpenOptions, RenderOptions, SourceDocument, SourcePage } from '../types.ts';
import type { Rotation } from '../image/raster.ts';
import { sniffMime } from './document.sniff.ts';
import { DEFAULT_OPEN_OPTIONS, imageHeader } from './document.inspect.ts';
import { openPdf } from './pdf.source.ts';

/** Clockwise rotation of each EXIF orientation value (mirrored ones rotate the same way after their flip). */
export function exifRotation(orientation: number | undefined): Rotation {
  switch (orientation) {
    case 3:
    case 4:
      return 180;
    case 5:
    case 6:
      return 90;
    case 7:
    case 8:
      return 270;
    default:
      return 0;
  }
}

export async function openDocument(data: Uint8Array, opts: Partial<OpenOptions> = {}): Promise<SourceDocument> {
  const o = { ...DEFAULT_OPEN_OPTIONS, ...opts };
  if (data.length === 0) throw new OcrflowError('OCRFLOW_ERR_EMPTY_FILE', 'The file is empty');
  const mime = sniffMime(data);
  if (!mime) throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'The file is not a PNG, JPEG, WebP, TIFF, BMP or PDF document');
  if (mime === 'application/pdf') return openPdf(data, o);
  const head = await imageHeader(data, o.maxPixels);
  const info = { mime, pageCount: 1, width: head.width, height: head.height };
  let closed = false;
  return {
    info,
    async renderPage(index: number, ro: RenderOptions = {}): Promise<SourcePage> {
      if (closed) throw new Error('document closed');
      if (index !== 0) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `An image has one page; page ${index + 1} was asked for`);
      const rot = exifRotation(head.orientation);
      const upright = rot === 90 || rot === 270 ? { width: head.height, height: head.width } : { width: head.width, height: head.height };
      const scale = ro.scale !== undefined && ro.scale > 0 && ro.scale < 1 ? ro.scale : 1;
      try {
        let img = sharp(data, { failOn: 'truncated', limitInputPixels: o.maxPixels }).rotate(); // EXIF auto-orientation
        // Reduced decoding: libjpeg decodes at 1/2, 1/4 or 1/8 from the DCT coefficients
        // (shrink-on-load) and lanczos3 does the rest, so a 35 MP scan read at a quarter of its
        // size is never decoded whole.
        if (scale < 1)
          img = img.resize(Math.max(1, Math.round(upright.width * scale)), Math.max(1, Math.round(upright.height * scale)), {
            fit: 'fill',
            kernel: 'lanczos3',
            fastShrinkOnLoad: true,
          });
        const { data: px, info: i } = await img
          .flatten({ background: '#ffffff' })
          .toColourspace('srgb')
          .removeAlpha()
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true });
        if (i.channels !== 3) throw new Error(`unexpected ${i.channels} channels`);
        return {
          index: 0,
          kind: 'image',
          image: { data: px, width: i.width, height: i.height, channels: 3 },
          exifRotation: rot,
          flags: [],
          ...(scale < 1 ? { fullSize: upright } : {}),
        };
      } catch (e) {
        throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', 'The image cannot be decoded: the file is corrupt or truncated', undefined, { cause: e });
      }
    },
    close() {
      closed = true;
    },
  };
}
