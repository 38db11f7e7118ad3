/**
 * Faint printed rules: a 1 px rule photographed small, blurred by the lens and washed out by the
 * light is only a few grey levels darker than the paper, below what the ink mask (Sauvola with a
 * minimum contrast) keeps as ink. Its profile across the line is still a thin dark ridge — darker
 * than the paper just above and just below it — and that ridge is the same all along the rule.
 * Noise and paper grain make ridges too, but short and scattered; only ridges that line up into long
 * straight runs are taken as rules (`detectSegments` on the ridge mask).
 *
 * Text makes ridges of its own (the tops and bottoms of letters, CJK strokes), so ridges inside the
 * recognised text lines are not looked at: a rule passes between lines, and one that a line touches
 * is still found along the rest of its length.
 */
import type { GrayImage } from './ink.binarize.ts';
import { crossAt, detectSegments, joinCollinear, type RuleSegment, type Rulings } from './ruling.detect.ts';
import type { TextQuad } from './ruling.filter.ts';

export interface FaintOptions {
  /** Typical text height in working pixels. */
  textHeight: number;
  /** Recognised text lines (working pixels): no ridge is taken inside them. */
  texts: readonly TextQuad[];
  /** Least darkness of the ridge below the paper on both sides (grey levels). */
  minContrast?: number;
}

/**
 * 1 where a pixel is a thin dark ridge across `y` (a horizontal rule's profile): darker by at least
 * `contrast` than the pixels `reach` away on both sides, after averaging 3 pixels along x (noise
 * halves, a rule does not move). Rules up to about 2·reach − 1 pixels thick pass.
 */
export function ridgeMask(g: GrayImage, reach: number, contrast: number): Uint8Array {
  const { width: w, height: h, data } = g;
  const sm = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const a = data[o + Math.max(0, x - 1)],
        b = data[o + x],
        c = data[o + Math.min(w - 1, x + 1)];
      sm[o + x] = (a + b + c) / 3;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = reach; y < h - reach; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const v = sm[o + x];
      const up = sm[o - reach * w + x],
        down = sm[o + reach * w + x];
      if (Math.min(up, down) - v < contrast) continue;
      // the darkest point of the profile (or one pixel off it), so a ridge is one line thick
      if (v <= sm[o - w + x] + 1 && v <= sm[o + w + x] + 1) out[o + x] = 1;
    }
  }
  return out;
}

function transposeGray(g: GrayImage): GrayImage {
  const { width: w, height: h, data } = g;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[x * h + y] = data[y * w + x];
  return { data: out, width: h, height: w };
}

/** Clear the inside of every text line (shrunk by `inset` so a rule along its edge stays). */
function clearText(mask: Uint8Array, w: number, h: number, texts: readonly TextQuad[], inset: number, transposed: boolean): void {
  for (const t of texts) {
    const [x0, x1, y0, y1] = transposed ? [t.y0, t.y1, t.x0, t.x1] : [t.x0, t.x1, t.y0, t.y1];
    const a = Math.max(0, Math.floor(x0)),
      b = Math.min(w - 1, Math.ceil(x1));
    const c = Math.max(0, Math.ceil(y0 + inset)),
      d = Math.min(h - 1, Math.floor(y1 - inset));
    for (let y = c; y <= d; y++) mask.fill(0, y * w + a, y * w + b + 1);
  }
}

/** Long straight ridges of one direction (horizontal on `g`; vertical when `g` is transposed). */
function faintSegments(g: GrayImage, o: FaintOptions, transposed: boolean): RuleSegment[] {
  const th = o.textHeight;
  const mask = ridgeMask(g, 2, o.minContrast ?? 6);
  clearText(mask, g.width, g.height, o.texts, 0.2 * th, transposed);
  return detectSegments(mask, g.width, g.height, {
    minRun: Math.max(12, Math.round(1.5 * th)),
    minLength: Math.max(24, 2.5 * th),
    maxThickness: 3,
    maxGap: Math.max(4, 0.5 * th),
    dilate: 1,
    maxSegments: 1000,
  });
}

/** The faint rules of a page (working pixels), both directions. */
export function detectFaintRulings(g: GrayImage, o: FaintOptions): Rulings {
  return { horizontal: faintSegments(g, o, false), vertical: faintSegments(transposeGray(g), o, true) };
}

/** Share of `f`'s length along which some segment of `inked` lies at the same cross position. */
function doubled(f: RuleSegment, inked: readonly RuleSegment[]): number {
  let covered = 0;
  for (const s of inked) {
    const lo = Math.max(f.a0, s.a0),
      hi = Math.min(f.a1, s.a1);
    if (hi <= lo) continue;
    const mid = (lo + hi) / 2;
    if (Math.abs(crossAt(s, mid) - crossAt(f, mid)) <= Math.max(2.5, s.thickness)) covered += hi - lo;
  }
  return covered / Math.max(1, f.a1 - f.a0);
}

/**
 * Rules from the ink mask and faint rules together: a faint piece that continues a rule already
 * found, or bridges its gaps, is joined with it (collinear pieces), a new one is added. A faint
 * ridge that lies wholly along an inked rule adds nothing and would only pull its fitted line.
 */
export function withFaintRulings(r: Rulings, faint: Rulings, maxGap: number): Rulings {
  const fh = faint.horizontal.filter((f) => doubled(f, r.horizontal) < DOUBLED);
  const fv = faint.vertical.filter((f) => doubled(f, r.vertical) < DOUBLED);
  if (!fh.length && !fv.length) return r;
  return {
    horizontal: joinCollinear([...r.horizontal, ...fh], maxGap),
    vertical: joinCollinear([...r.vertical, ...fv], maxGap),
  };
}

/** A faint ridge along an inked rule for this share of its length is that rule seen again. */
const DOUBLED = 0.98;
