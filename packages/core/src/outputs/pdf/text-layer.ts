/**
 * The invisible text layer of a searchable PDF page: every recognised word written in render mode
 * 3 (neither filled nor stroked) with the glyph-less font, placed on its box and stretched
 * horizontally to the box width, so that selecting, copying and searching find the word where it
 * is printed. Pure: a page of the document model and the affine map from its pixels to PDF user
 * space in, a content-stream fragment out.
 */
import type { BBox, Block, Line, Page, Word } from '../../model.ts';
import { GLYPHLESS_ADVANCE } from './glyphless.font.ts';

/** PDF matrix [a b c d e f]: x' = a·x + c·y + e, y' = b·x + d·y + f. */
export type PdfMatrix = [number, number, number, number, number, number];

/** The resource name of the glyph-less font in every page we write on. */
export const TEXT_LAYER_FONT = 'OcrflowGlyphless';

/** `m` applied after `n` (the PDF `cm` convention: n × m). */
export function concatMatrix(n: PdfMatrix, m: PdfMatrix): PdfMatrix {
  return [
    n[0] * m[0] + n[1] * m[2],
    n[0] * m[1] + n[1] * m[3],
    n[2] * m[0] + n[3] * m[2],
    n[2] * m[1] + n[3] * m[3],
    n[4] * m[0] + n[5] * m[2] + m[4],
    n[4] * m[1] + n[5] * m[3] + m[5],
  ];
}

/** Every line of a page, wherever the layout put it (text blocks, figures, formulas, table cells). */
export function pageLines(page: Page): Line[] {
  const out: Line[] = [];
  const fromBlock = (b: Block) => {
    if (b.type === 'table') for (const c of b.table.cells) out.push(...c.lines);
    else out.push(...b.lines);
  };
  page.blocks.forEach(fromBlock);
  return out;
}

/**
 * The words of a line. Engines that cannot place words (VLM answers, some remote engines) give
 * lines only: their tokens then share the line box in proportion to their length, which still puts
 * each word on the right line and roughly the right place.
 */
export function lineWords(line: Line): Word[] {
  if (line.words.length) return line.words.filter((w) => w.text.trim().length > 0);
  const toks = line.text.split(/\s+/u).filter(Boolean);
  if (!toks.length) return [];
  const [x0, y0, x1, y1] = line.bbox;
  const units = toks.reduce((n, t) => n + [...t].length, 0) + (toks.length - 1);
  const step = (x1 - x0) / Math.max(1, units);
  const words: Word[] = [];
  let x = x0;
  for (const t of toks) {
    const w = [...t].length * step;
    words.push({ text: t, bbox: [x, y0, x + w, y1], confidence: line.confidence });
    x += w + step;
  }
  return words;
}

/** A word as hex UTF-16 code units: the two-byte codes of the Identity-H font. */
export function utf16Hex(s: string): string {
  let h = '';
  for (let i = 0; i < s.length; i++) h += s.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return h;
}

const num = (v: number): string => {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
};

/**
 * `BT … ET` with one `Tm`/`Tj` per word. `toUser` maps page pixels (origin top-left, y down) to the
 * user space of the PDF page. The text matrix puts glyph space on the word box: the baseline on the
 * box bottom, one unit of font size = the box height, the advances stretched to the box width.
 */
export function textLayerOps(page: Page, toUser: PdfMatrix): string {
  const ops: string[] = [];
  for (const line of pageLines(page)) {
    const words = lineWords(line);
    words.forEach((w, i) => {
      const word = w.text.normalize('NFC');
      const [x0, y0, x1, y1] = w.bbox as BBox;
      const h = y1 - y0;
      if (word.length === 0 || h <= 0 || x1 <= x0) return;
      // Word boxes of one line often touch, so readers would run the words together: a space
      // after every word but the last, taking at most one average character width towards the
      // next word, keeps the word's own glyphs inside its box (n of n+1 advances).
      const next = words[i + 1];
      const text = next ? `${word} ` : word;
      const right = next ? Math.max(x1, Math.min(next.bbox[0], x1 + (x1 - x0) / word.length)) : x1;
      const sx = (right - x0) / ((text.length * GLYPHLESS_ADVANCE) / 1000);
      const tm = concatMatrix([sx, 0, 0, -h, x0, y1], toUser);
      ops.push(`${tm.map(num).join(' ')} Tm <${utf16Hex(text)}> Tj`);
    });
  }
  if (!ops.length) return '';
  return `BT\n3 Tr\n/${TEXT_LAYER_FONT} 1 Tf\n${ops.join('\n')}\nET\n`;
}
