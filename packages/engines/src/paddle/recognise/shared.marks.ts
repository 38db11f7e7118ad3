/**
 * One mark read twice. A line's crop reaches out to ink that continues it (crop.snap.ts): the comma
 * after "依据合同" has a weak kernel of its own and lies between two boxes of one row, so the crop of
 * the line before takes it in as its last character and the crop of the line after as its first
 * ("依据合同，" + "，付款明细"). Where two lines of a row overlap there, the first ending and the
 * second starting with the same trailing punctuation mark, the mark belongs to the first line
 * (such marks close a phrase); the second loses it.
 */
import type { Line } from '@ocrflow/core';

/** Marks that end a phrase, never start one. */
const TRAILING = /^[，。、；：！？,.;:!?]$/u;

function sameRow(a: Line, b: Line): boolean {
  const ov = Math.min(a.bbox[3], b.bbox[3]) - Math.max(a.bbox[1], b.bbox[1]);
  return ov >= 0.5 * Math.min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]);
}

/** Where a line's reading ends / starts on the page (its outer words, else its box). */
const endOf = (l: Line) => (l.words.length ? l.words[l.words.length - 1].bbox[2] : l.bbox[2]);
const startOf = (l: Line) => (l.words.length ? l.words[0].bbox[0] : l.bbox[0]);

/** The lines with a mark read by two neighbouring lines kept by the first only (new objects where changed). */
export function dropSharedMarks(lines: readonly Line[]): Line[] {
  const out = [...lines];
  for (let i = 0; i < out.length; i++) {
    const b = out[i];
    const first = [...b.text][0];
    if (!first || !TRAILING.test(first) || [...b.text.trim()].length < 2) continue;
    const a = out.find((l, j) => j !== i && sameRow(l, b) && l.bbox[0] < b.bbox[0] && [...l.text.trimEnd()].at(-1) === first && endOf(l) > startOf(b));
    if (!a) continue;
    const cut = (s: string) => s.slice(first.length).trimStart();
    const words = b.words.length ? [{ ...b.words[0], text: cut(b.words[0].text) }, ...b.words.slice(1)].filter((w) => w.text) : b.words;
    out[i] = { ...b, text: cut(b.text), words };
  }
  return out;
}
