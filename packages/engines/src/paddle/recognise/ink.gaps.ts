/**
 * Blank columns between recognised characters, measured on the crop itself: the CTC alignment
 * says roughly where each character is, the ink profile says how much white space really lies
 * between two of them. A word space is a wide blank run; the gap between letters of a word is
 * narrow even in proportional fonts where the centre-to-centre distance varies a lot.
 */
import type { RecCrop } from './rec.model.ts';
import { REC_STRIDE } from './rec.constants.ts';
import type { DecodedChar } from './ctc.decode.ts';
import { otsu } from './ink.threshold.ts';

/** Per column of the crop: does it hold ink (the minority class of an Otsu split)? */
export function inkColumns(crop: RecCrop): Uint8Array {
  const { width: w, height: h, data } = crop;
  const grey = new Uint8Array(w * h);
  const hist = new Uint32Array(256);
  for (let i = 0; i < w * h; i++) {
    const g = (data[i * 3] * 299 + data[i * 3 + 1] * 587 + data[i * 3 + 2] * 114) / 1000;
    grey[i] = g;
    hist[grey[i]]++;
  }
  const thr = otsu(hist, w * h);
  let dark = 0;
  for (let i = 0; i <= thr; i++) dark += hist[i];
  const inkIsDark = dark <= (w * h) / 2;
  // Skip the top and bottom eighth: neighbouring lines and box borders bleed in there.
  const y0 = Math.floor(h / 8),
    y1 = h - y0;
  const cols = new Uint8Array(w);
  for (let x = 0; x < w; x++) {
    let n = 0;
    for (let y = y0; y < y1; y++) {
      const g = grey[y * w + x];
      if (inkIsDark ? g <= thr : g > thr) n++;
    }
    // One stray pixel (noise, a speck) does not make a column ink.
    cols[x] = n >= 2 ? 1 : 0;
  }
  return cols;
}

/**
 * Longest blank run (in model frames) between each pair of consecutive characters; index i is the
 * gap between chars[i] and chars[i+1].
 */
export function inkBlanks(crop: RecCrop, chars: readonly DecodedChar[]): number[] {
  if (chars.length < 2) return [];
  const cols = inkColumns(crop);
  const out: number[] = [];
  for (let i = 0; i + 1 < chars.length; i++) {
    const a = Math.max(0, Math.round(((chars[i].start + chars[i].end) / 2 + 0.5) * REC_STRIDE));
    const b = Math.min(crop.width, Math.round(((chars[i + 1].start + chars[i + 1].end) / 2 + 0.5) * REC_STRIDE));
    let run = 0,
      best = 0;
    for (let x = a; x < b; x++) {
      if (cols[x]) run = 0;
      else if (++run > best) best = run;
    }
    out.push(best / REC_STRIDE);
  }
  return out;
}
