/** A page raster → a compressed image for a remote engine (data URL or upload), size-capped. */
import sharp from 'sharp';
import type { RasterImage } from '../types.ts';

export interface EncodedImage {
  data: Buffer;
  mime: 'image/png' | 'image/jpeg';
  /** Size of the encoded image (after the cap); boxes relative to it scale by page/encoded. */
  width: number;
  height: number;
}

export interface EncodeOptions {
  /** Longest side in pixels; larger pages are shrunk (never enlarged). */
  maxSide: number;
  /**
   * PNG keeps thin strokes exact; a scanned page as PNG can reach several MB, though, and hosted
   * APIs cap request sizes (OpenAI: 20 MB), so above this many bytes JPEG q90 is sent instead.
   */
  maxPngBytes?: number;
}

export async function encodeRaster(img: RasterImage, opts: EncodeOptions): Promise<EncodedImage> {
  const scale = Math.min(1, opts.maxSide / Math.max(img.width, img.height));
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const base = () => {
    const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
    return scale < 1 ? s.resize(width, height, { fit: 'fill', kernel: 'lanczos3' }) : s;
  };
  const png = await base().png({ compressionLevel: 6 }).toBuffer();
  if (png.length <= (opts.maxPngBytes ?? 4 * 1024 * 1024)) return { data: png, mime: 'image/png', width, height };
  const jpeg = await base().jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer();
  return { data: jpeg, mime: 'image/jpeg', width, height };
}

export function toDataUrl(e: EncodedImage): string {
  return `data:${e.mime};base64,${e.data.toString('base64')}`;
}
