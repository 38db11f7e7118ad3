/**
 * The page image of a searchable PDF made from an uploaded image: the page as it was uploaded.
 * A JPEG goes in byte for byte (DCTDecode) and is turned upright by the page matrix, never
 * re-encoded (re-encoding would lose quality and usually grow the file); other formats are decoded
 * once to 8-bit samples and stored losslessly. Mirrored EXIF orientations cannot be expressed as a
 * rotation of the JPEG bytes, so those are decoded upright like the other formats.
 */
import sharp from 'sharp';
import type { Page, PdfPageImage } from '@ocrflow/core';
import { exifRotation } from '../pipeline/document.open.ts';

/** Used when an image carries no plausible resolution (phone photos say 72 dpi, or nothing). */
export const DEFAULT_IMAGE_DPI = 300;
const MIN_TRUSTED_DPI = 100;
const MAX_TRUSTED_DPI = 2400;

const MIRRORED = new Set([2, 4, 5, 7]);

type Rot = PdfPageImage['rotation'];
const sub = (a: number, b: number): Rot => ((((a - b) % 360) + 360) % 360) as Rot;

export async function preparePageImage(data: Uint8Array, page: Page): Promise<PdfPageImage> {
  const meta = await sharp(data).metadata();
  const density = meta.density ?? 0;
  const dpi = density >= MIN_TRUSTED_DPI && density <= MAX_TRUSTED_DPI ? density : DEFAULT_IMAGE_DPI;
  const orientation = meta.orientation ?? 1;
  const width = meta.width ?? 0,
    height = meta.height ?? 0;
  const plainJpeg =
    meta.format === 'jpeg' &&
    !MIRRORED.has(orientation) &&
    (meta.channels === 1 || meta.channels === 3) &&
    (meta.space === 'srgb' || meta.space === 'b-w' || meta.space === 'rgb');
  if (plainJpeg) {
    return {
      filter: 'DCTDecode',
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      width,
      height,
      colorSpace: meta.channels === 1 ? 'DeviceGray' : 'DeviceRGB',
      // page.rotation = EXIF rotation + any rotation the engine found; both apply to the stored bytes.
      rotation: page.rotation,
      dpi,
    };
  }
  // sharp's rotate() applies the EXIF orientation (mirrors included); what is left is the engine's.
  const gray = meta.space === 'b-w' && !meta.hasAlpha;
  let img = sharp(data).rotate().flatten({ background: '#ffffff' });
  img = gray ? img.toColourspace('b-w') : img.toColourspace('srgb');
  const { data: px, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const channels = gray ? 1 : 3;
  const samples = info.channels === channels ? px : dropExtraChannels(px, info.channels, channels);
  return {
    filter: 'FlateDecode',
    data: samples,
    width: info.width,
    height: info.height,
    colorSpace: gray ? 'DeviceGray' : 'DeviceRGB',
    rotation: sub(page.rotation, exifRotation(orientation)),
    dpi,
  };
}

function dropExtraChannels(px: Buffer, from: number, to: number): Buffer {
  const n = px.length / from;
  const out = Buffer.allocUnsafe(n * to);
  for (let i = 0; i < n; i++) for (let c = 0; c < to; c++) out[i * to + c] = px[i * from + c];
  return out;
}
