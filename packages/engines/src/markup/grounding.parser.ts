/**
 * DeepSeek-OCR grounded output: blocks that start with
 * `<|ref|>LABEL<|/ref|><|det|>[[x1, y1, x2, y2], …]<|/det|>` followed by the block's Markdown
 * (tables as HTML, formulas as LaTeX). Boxes are normalised to 0–999 of the page width and height
 * (DeepSeek's own visualiser maps them back with `x / 999 * width`), so they do not depend on how
 * the image was resized before it was sent.
 */
import type { BBox } from '@ocrflow/core';
import { splitMarkdown, type MarkupSegment } from './markdown.segments.ts';

const TAG = /<\|ref\|>([\s\S]{0,200}?)<\|\/ref\|>\s*<\|det\|>([\s\S]{0,2000}?)<\|\/det\|>/g;

/** The grounded blocks as written, boxes still normalised. */
export interface GroundedBlock {
  label: string;
  /** Normalised boxes (0..scale), as the model wrote them. */
  boxes: BBox[];
  content: string;
}

export function hasGrounding(text: string): boolean {
  return /<\|ref\|>[\s\S]{0,200}?<\|\/ref\|>\s*<\|det\|>/.test(text);
}

/** Every group of four numbers in a det payload is one box; anything else in it is ignored. */
function parseDet(det: string, scale: number): BBox[] {
  const nums = (det.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
  const boxes: BBox[] = [];
  for (let i = 0; i + 3 < nums.length; i += 4) {
    const c = nums.slice(i, i + 4).map((v) => Math.min(scale, Math.max(0, v)));
    const b: BBox = [Math.min(c[0], c[2]), Math.min(c[1], c[3]), Math.max(c[0], c[2]), Math.max(c[1], c[3])];
    boxes.push(b);
  }
  return boxes;
}

/** Split a grounded answer into text before the first tag (usually empty) and the grounded blocks. */
export function parseGrounded(text: string, scale = 999): { preamble: string; blocks: GroundedBlock[] } {
  const blocks: GroundedBlock[] = [];
  let preamble = '';
  let last = 0;
  let pending: { label: string; boxes: BBox[] } | null = null;
  for (const m of text.matchAll(TAG)) {
    const body = text.slice(last, m.index);
    if (pending) blocks.push({ ...pending, content: body });
    else preamble = body;
    pending = { label: m[1].trim(), boxes: parseDet(m[2], scale) };
    last = m.index! + m[0].length;
  }
  if (pending) blocks.push({ ...pending, content: text.slice(last) });
  else preamble = text;
  return { preamble, blocks: blocks.map((b) => ({ ...b, content: b.content.replace(/^[ \t]*\n/, '').replace(/\s+$/, '') })) };
}

/**
 * Grounded answer → segments with boxes in page pixels. Text outside any grounded block (a
 * preamble) is split as plain Markdown and gets no box. Blocks without a usable box keep none.
 */
export function groundedToSegments(text: string, page: { width: number; height: number }, scale = 999): MarkupSegment[] {
  const { preamble, blocks } = parseGrounded(text, scale);
  const sx = page.width / scale;
  const sy = page.height / scale;
  const segs: MarkupSegment[] = splitMarkdown(preamble);
  for (const b of blocks) {
    const boxes = b.boxes.map((n): BBox => [n[0] * sx, n[1] * sy, n[2] * sx, n[3] * sy]).filter((x) => x[2] > x[0] && x[3] > x[1]);
    segs.push({ label: b.label || 'text', modelLabel: true, boxes, content: b.content });
  }
  return segs;
}
