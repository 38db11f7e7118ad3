/**
 * Flatten uneven light, shadows and a colour cast on a straightened page: estimate the paper's
 * brightness everywhere (per channel) and divide by it, so paper comes out evenly near-white and
 * ink keeps its contrast to it. The estimate is a max-pool over blocks (a block almost always holds
 * some bare paper between strokes), widened by a max filter so a dense line of text or a shaded
 * header cell does not count as paper, then blurred and scaled back up by libvips.
 */
import sharp from 'sharp';
import type { RasterImage } from '../types.ts';

/** Pooling block (px) relative to the page's long side; ~1/200 keeps the estimate below text size. */
const BLOCKS_ON_LONG_SIDE = 200;
/** Half-width, in blocks, of the max filter after pooling. */
const SPREAD = 3;
/** Brightness paper is brought to (a little below white keeps faint print from clipping). */
const PAPER = 245;

export async function flattenLight(img: RasterImage): Promise<RasterImage> {
  const { width: w, height: h, data } = img;
  // Pool on a 1/4-size copy (libvips area average): cheaper, and sensor noise no longer sets the maximum.
  const sw = Math.max(1, Math.round(w / 4)),
    sh = Math.max(1, Math.round(h / 4));
  const { data: small } = await sharp(data, { raw: { width: w, height: h, channels: 3 } })
    .resize(sw, sh, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const block = Math.max(2, Math.round(Math.max(sw, sh) / BLOCKS_ON_LONG_SIDE));
  const bw = Math.ceil(sw / block),
    bh = Math.ceil(sh / block);
  const pool = new Uint8Array(bw * bh * 3);
  for (let y = 0; y < sh; y++) {
    const by = (y / block) | 0;
    let i = y * sw * 3;
    for (let x = 0; x < sw; x++, i += 3) {
      const k = (by * bw + ((x / block) | 0)) * 3;
      if (small[i] > pool[k]) pool[k] = small[i];
      if (small[i + 1] > pool[k + 1]) pool[k + 1] = small[i + 1];
      if (small[i + 2] > pool[k + 2]) pool[k + 2] = small[i + 2];
    }
  }
  const spread = maxFilter(maxFilter(pool, bw, bh, SPREAD, true), bw, bh, SPREAD, false);
  const { data: bg } = await sharp(Buffer.from(spread.buffer, spread.byteOffset, spread.length), { raw: { width: bw, height: bh, channels: 3 } })
    .blur(SPREAD * 1.5)
    .resize(w, h, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // One gain per background level; every (background, value) pair's result is looked up in a
  // 256 × 256 table, so the per-pixel work is one load (the table holds what
  // min(255, value × gain) stores into a byte).
  const gain = new Float32Array(256);
  for (let b = 0; b < 256; b++) gain[b] = PAPER / Math.max(24, b);
  const table = new Uint8Array(256 * 256);
  for (let b = 0; b < 256; b++) {
    for (let v = 0; v < 256; v++) {
      const x = v * gain[b];
      table[(b << 8) | v] = x > 255 ? 255 : x;
    }
  }
  const out = Buffer.allocUnsafe(w * h * 3);
  for (let i = 0; i < out.length; i++) out[i] = table[(bg[i] << 8) | data[i]];
  return { data: out, width: w, height: h, channels: 3 };
}

function maxFilter(src: Uint8Array, w: number, h: number, r: number, horizontal: boolean): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let m = 0;
        for (let k = -r; k <= r; k++) {
          const xx = horizontal ? x + k : x,
            yy = horizontal ? y : y + k;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const v = src[(yy * w + xx) * 3 + c];
          if (v > m) m = v;
        }
        out[(y * w + x) * 3 + c] = m;
      }
    }
  }
  return out;
}
