/**
 * The OCR ceiling of a key field: did the recogniser print the true value at all? Exact match of
 * a field needs the characters, the spaces and the punctuation right; when the truth is not in the
 * recognised text, no extraction can give it. Comparing the analyser's hits with these shares
 * separates "extraction picked wrong" from "OCR never printed it" (and, between the two levels,
 * "OCR printed it with other spaces or punctuation").
 */
import type { OcrDocument } from '@ocrflow/core';

export type CeilingLevel = 'exact' | 'loose' | 'absent';

const collapse = (s: string) => s.normalize('NFKC').toUpperCase().replace(/\s+/gu, ' ').trim();
const alnum = (s: string) =>
  s
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');

/** The document's lines in the engine's reading order (a table's cell by cell). */
export function documentLines(doc: OcrDocument): string[] {
  return doc.pages.flatMap((p) =>
    p.blocks.flatMap((b) => (b.type === 'table' ? b.table.cells.flatMap((c) => c.lines) : 'lines' in b ? b.lines : []).map((l) => l.text)),
  );
}

const kind = (c: string | undefined) => (c === undefined ? '' : /\p{N}/u.test(c) ? 'n' : /\p{L}/u.test(c) ? 'l' : '');

/** True when `t` occurs in `text` not cut out of a longer word or number (`9.00` in `RM9.00`, not in `19.00`). */
function occursWhole(text: string, t: string): boolean {
  for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) {
    const before = kind(text[i - 1]),
      after = kind(text[i + t.length]);
    if ((!before || before !== kind(t[0])) && (!after || after !== kind(t[t.length - 1]))) return true;
  }
  return false;
}

/**
 * Where the truth stands in the recognised lines: `exact` when the lines joined by single spaces
 * (white space collapsed, upper case) hold it, not as part of a longer word or number; `loose` when
 * it is there only once spaces and punctuation are ignored; `absent` otherwise.
 */
export function ceilingLevel(lines: readonly string[], truth: string): CeilingLevel {
  const t = collapse(truth);
  if (!t) return 'absent';
  if (occursWhole(collapse(lines.join(' ')), t)) return 'exact';
  const a = alnum(truth);
  if (!a) return 'absent';
  // Letters and digits only, remembering where a space or a punctuation mark stood: the match must
  // start and end at such a place or where letters meet digits (`RM19.00` holds 19.00, not 9.00).
  const tokens = collapse(lines.join(' '))
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const text = tokens.join('');
  const cuts = new Set<number>([0]);
  let at = 0;
  for (const tk of tokens) cuts.add((at += tk.length));
  for (let i = text.indexOf(a); i >= 0; i = text.indexOf(a, i + 1)) {
    const j = i + a.length;
    const startOk = cuts.has(i) || kind(text[i - 1]) !== kind(a[0]);
    const endOk = cuts.has(j) || kind(text[j]) !== kind(a[a.length - 1]);
    if (startOk && endOk) return 'loose';
  }
  return 'absent';
}
