/**
 * One page numbers its sections one way. Chinese documents write a section number as "1、" (the
 * ideographic comma) or as "1." — and keep to one style; the Chinese+English recogniser, seeing the
 * small comma detached from its digit (a photo's blur, a space before the heading), reads it as a
 * full stop, so a page of "1、 2、 3、 …" comes out with a stray "2.". Where the page's own section
 * numbers clearly agree on one mark (at least three of them, the others at most half as many), the
 * few that disagree take the page's mark. A page without a clear majority is left as it is.
 *
 * A section number here is one or two digits at the very start of a line, followed by the mark and
 * then Chinese text ("3、运营…", "2. 合同"), or a line of just the number and its mark with a line
 * of Chinese text beside it to the right (the detector often reads a heading's number apart from
 * its words); "3.1、", "1.5倍" and "a." are no section numbers.
 */
import type { Line } from '@ocrflow/core';

const HAN = /^\s*\p{Script=Han}/u;
const NUMBERED = /^(\d{1,2})([.．、])(.*)$/su;
const COMMA = '、';

/** Fewer section numbers than this say nothing about the page's style. */
const MIN_VOTES = 3;

interface Numbered {
  line: Line;
  digits: number;
  mark: string;
}

/**
 * The text of the line that follows `l` on its row, to its right within a few text heights, if any.
 * `l` ends where its last word does: the detector's box of a lone "3、" often reaches on over the
 * blank after the small comma, past the start of the heading beside it.
 */
function textBeside(l: Line, lines: readonly Line[]): string {
  const h = l.bbox[3] - l.bbox[1],
    yc = (l.bbox[1] + l.bbox[3]) / 2;
  const end = l.words.length ? Math.min(l.bbox[2], l.words[l.words.length - 1].bbox[2]) : l.bbox[2];
  let best: Line | null = null;
  for (const o of lines) {
    if (o === l || o.bbox[0] < end - 0.5 * h || o.bbox[0] > end + 4 * h) continue;
    if (Math.abs((o.bbox[1] + o.bbox[3]) / 2 - yc) > 0.5 * Math.max(h, o.bbox[3] - o.bbox[1])) continue;
    if (!best || o.bbox[0] < best.bbox[0]) best = o;
  }
  return best?.text ?? '';
}

function sectionNumber(line: Line, lines: readonly Line[]): Numbered | null {
  const first = line.words.length ? line.words[0].text : line.text;
  const m = NUMBERED.exec(first);
  if (!m) return null;
  if (!line.text.startsWith(m[1] + m[2])) return null;
  const next = line.words.length > 1 ? line.words[1].text : '';
  const rest = m[3] || next || (line.text.trim() === m[1] + m[2] ? textBeside(line, lines) : '');
  if (!HAN.test(rest)) return null;
  return { line, digits: m[1].length, mark: m[2] };
}

const isComma = (mark: string) => mark === COMMA;

/** The page's lines with section-number marks made consistent (new objects where changed). */
export function unifySectionMarks(lines: readonly Line[]): Line[] {
  const numbered = lines.map((l) => sectionNumber(l, lines)).filter((n): n is Numbered => n !== null);
  if (numbered.length < MIN_VOTES) return [...lines];
  const commas = numbered.filter((n) => isComma(n.mark)).length;
  const stops = numbered.length - commas;
  const major = commas >= 2 * stops ? COMMA : stops >= 2 * commas ? '.' : null;
  if (!major || commas === 0 || stops === 0) return [...lines];
  const fix = new Map<Line, Numbered>();
  for (const n of numbered) if (isComma(n.mark) !== isComma(major)) fix.set(n.line, n);
  return lines.map((l) => {
    const n = fix.get(l);
    if (!n) return l;
    const swap = (s: string) => s.slice(0, n.digits) + major + s.slice(n.digits + n.mark.length);
    return { ...l, text: swap(l.text), words: l.words.map((w, i) => (i === 0 ? { ...w, text: swap(w.text) } : w)) };
  });
}
