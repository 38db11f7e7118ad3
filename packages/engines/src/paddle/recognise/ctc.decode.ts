/**
 * CTC greedy decoding that keeps the alignment: every decoded character remembers the frames it
 * came from. PP-OCRv4's Chinese+English recogniser seldom emits the space class between English
 * words, so spaces are put back from that alignment (see `segmentWords`).
 */

export interface DecodedChar {
  ch: string;
  /** First and last frame (inclusive) of the character's run. */
  start: number;
  end: number;
  /** Highest class probability within the run. */
  prob: number;
}

/**
 * Greedy CTC decode of one sequence: `probs` holds T×C class probabilities starting at `offset`.
 * Class 0 is the blank; `charset[i]` is the character of class i (charset[0] unused).
 */
export function ctcDecode(probs: Float32Array, offset: number, frames: number, classes: number, charset: readonly string[]): DecodedChar[] {
  const out: DecodedChar[] = [];
  let prev = -1;
  for (let t = 0; t < frames; t++) {
    const base = offset + t * classes;
    let best = 0, bestP = probs[base];
    for (let c = 1; c < classes; c++) {
      const p = probs[base + c];
      if (p > bestP) { bestP = p; best = c; }
    }
    if (best !== 0 && best === prev) {
      const last = out[out.length - 1];
      last.end = t;
      if (bestP > last.prob) last.prob = bestP;
    } else if (best !== 0) {
      out.push({ ch: charset[best] ?? '', start: t, end: t, prob: bestP });
    }
    prev = best;
  }
  return out;
}

/** Full-width characters (CJK ideographs, kana, hangul, full-width forms) are about twice as wide as Latin ones. */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
export function isWide(ch: string): boolean {
  return WIDE.test(ch);
}

export interface WordSpan {
  text: string;
  /** Frame range of the word (first char start .. last char end). */
  start: number;
  end: number;
  confidence: number;
}

export interface SpaceOptions {
  /** A gap is a space when it exceeds this multiple of the line's character pitch. */
  ratio: number;
  /** Between two full-width characters a much wider gap is needed (Chinese is written without spaces). */
  wideRatio: number;
  /** Pitch in frames assumed when a line has too few characters to measure one. */
  defaultPitch: number;
  /**
   * Optional measured blank run (in frames) between characters i and i+1, e.g. from the ink profile
   * of the crop; when given, a gap also counts as a space if the blank run exceeds
   * `blankRatio` × pitch.
   */
  blankRatio: number;
}

export const DEFAULT_SPACE_OPTIONS: SpaceOptions = { ratio: 1.6, wideRatio: 2.6, defaultPitch: 3, blankRatio: 0.6 };

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
}

/**
 * Split decoded characters into words. The pitch is the median distance between the centres of
 * consecutive characters, counted in "narrow units" (a full-width character is two) so a mixed
 * Chinese/English line has one pitch. A gap wider than `ratio` pitches is a space; the model's own
 * space class always is.
 */
export function segmentWords(chars: readonly DecodedChar[], opts: SpaceOptions = DEFAULT_SPACE_OPTIONS, blanks?: readonly number[]): WordSpan[] {
  const units = (c: DecodedChar) => (isWide(c.ch) ? 2 : 1);
  const center = (c: DecodedChar) => (c.start + c.end) / 2;
  const norm: number[] = [];
  for (let i = 0; i + 1 < chars.length; i++) {
    if (chars[i].ch === ' ' || chars[i + 1].ch === ' ') continue;
    norm.push((center(chars[i + 1]) - center(chars[i])) / ((units(chars[i]) + units(chars[i + 1])) / 2));
  }
  // The median of a short line may itself straddle a space; three gaps are the least we trust.
  const pitch = norm.length >= 3 ? Math.max(median(norm), 1) : opts.defaultPitch;
  const words: WordSpan[] = [];
  let cur: DecodedChar[] = [];
  const flush = () => {
    if (!cur.length) return;
    words.push({
      text: cur.map((c) => c.ch).join(''),
      start: cur[0].start,
      end: cur[cur.length - 1].end,
      confidence: cur.reduce((s, c) => s + c.prob, 0) / cur.length,
    });
    cur = [];
  };
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c.ch === ' ') { flush(); continue; }
    if (cur.length) {
      const p = cur[cur.length - 1];
      const both = isWide(p.ch) && isWide(c.ch);
      const gap = (center(c) - center(p)) / ((units(p) + units(c)) / 2);
      const blank = blanks?.[i - 1];
      const isSpace = gap > (both ? opts.wideRatio : opts.ratio) * pitch || (!both && blank !== undefined && blank > opts.blankRatio * pitch);
      if (isSpace) flush();
    }
    cur.push(c);
  }
  flush();
  return words;
}
