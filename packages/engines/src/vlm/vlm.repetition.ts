/**
 * Degenerate repetition in VLM answers ("VLMs loop, repeat a header 20 times"). A model
 * that starts looping usually keeps going until `max_tokens`, so the loop is cut back to its first
 * occurrence and the page is flagged; what came after the loop is lost, which is why the engine
 * may ask the pipeline to re-run such a page with a CPU engine.
 *
 * Three levels, because loops come in three shapes:
 * - grounded blocks: DeepSeek repeats a whole `<|ref|>…<|det|>` block with a slightly moved box, so
 *   blocks are compared by label and content, ignoring the box;
 * - lines: the same line (or a cycle of 2–3 lines) again and again, longer than the char window;
 * - characters: any period up to 400 characters — a table row `<tr>…</tr>`, a header line, an
 *   n-gram inside a line ("the the the …").
 * A run counts only when it repeats at least `minRepeats` times, the repeated part is at least
 * `minSpan` characters (short legitimate repeats — `0 0 0`, a dotted leader — stay), and the unit
 * contains a letter or digit outside HTML tags (empty `<td></td>` runs in sparse tables stay).
 */

export interface RepetitionOptions {
  /** Occurrences (first one included) before a run is degenerate. */
  minRepeats?: number;
  /** Characters removed before a run is degenerate. */
  minSpan?: number;
  /** Longest character period looked for. */
  maxPeriod?: number;
}

export interface RepetitionResult {
  text: string;
  /** Number of degenerate runs cut. */
  runs: number;
  removedChars: number;
  /** Share of the answer that was removed, 0..1. */
  removedFraction: number;
  /**
   * A loop ran to the end of the answer: the model never got past it, so whatever the page holds
   * after that point is missing (the reason to re-read the page with another engine).
   */
  endsInLoop: boolean;
}

const DEFAULTS = { minRepeats: 4, minSpan: 300, maxPeriod: 400 };

function hasContent(unit: string): boolean {
  const visible = unit
    .replace(/<[^<>]*>/g, '')
    .replace(/^[^<]*>/, '')
    .replace(/<[^>]*$/, '');
  return /[\p{L}\p{N}]/u.test(visible);
}

interface Cut {
  start: number;
  end: number;
}

function applyCuts(text: string, cuts: Cut[]): string {
  cuts.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const c of cuts) {
    out += text.slice(pos, c.start);
    pos = c.end;
  }
  return out + text.slice(pos);
}

/**
 * Periodic runs over a sequence of units (blocks or lines) given by their keys and source ranges:
 * keeps the first cycle of each run and returns the ranges to cut.
 */
function unitRuns(keys: string[], ranges: [number, number][], o: Required<RepetitionOptions>, maxPeriod: number): Cut[] {
  const cuts: Cut[] = [];
  let i = 0;
  while (i < keys.length) {
    let best: { p: number; k: number } | null = null;
    for (let p = 1; p <= maxPeriod && i + 2 * p <= keys.length; p++) {
      let k = 1;
      while (i + (k + 1) * p <= keys.length && keys.slice(i, i + p).every((key, d) => keys[i + k * p + d] === key)) k++;
      if (k >= o.minRepeats && (!best || k * p > best.k * best.p)) best = { p, k };
    }
    if (best) {
      const unit = keys.slice(i, i + best.p).join('\n');
      const start = ranges[i + best.p][0];
      let end = ranges[i + best.k * best.p - 1][1];
      // A last, partial unit (cut off by max_tokens) goes with the run.
      const after = i + best.k * best.p;
      if (after === keys.length - 1 && keys[i].startsWith(keys[after])) end = ranges[after][1];
      if (hasContent(unit) && end - start >= o.minSpan) {
        cuts.push({ start, end });
        i += best.k * best.p;
        continue;
      }
    }
    i++;
  }
  return cuts;
}

const GROUNDED_BLOCK = /<\|ref\|>[\s\S]*?(?=<\|ref\|>|$)/g;

function groundedBlockCuts(text: string, o: Required<RepetitionOptions>): Cut[] {
  const keys: string[] = [];
  const ranges: [number, number][] = [];
  for (const m of text.matchAll(GROUNDED_BLOCK)) {
    keys.push(
      m[0]
        .replace(/<\|det\|>[\s\S]*?<\|\/det\|>/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    ranges.push([m.index!, m.index! + m[0].length]);
  }
  return unitRuns(keys, ranges, o, 3);
}

function lineCuts(text: string, o: Required<RepetitionOptions>): Cut[] {
  const keys: string[] = [];
  const ranges: [number, number][] = [];
  for (const m of text.matchAll(/[^\n]*\n?/g)) {
    if (!m[0]) break;
    if (!m[0].trim()) continue; // blank lines between repeated paragraphs do not break a run
    keys.push(m[0].trim());
    ranges.push([m.index!, m.index! + m[0].length]);
  }
  // Extend each range over the blank lines that follow it, so a cut takes them along.
  for (let i = 0; i < ranges.length - 1; i++) ranges[i][1] = ranges[i + 1][0];
  return unitRuns(keys, ranges, o, 3);
}

/**
 * Where to cut a loop that runs to the end of the answer: its first cycle may start mid-unit (the
 * periodic stretch reaches back over a shared suffix such as `</td></tr>`), so the cut moves up to
 * one period forward to the best unit boundary: a line end, then a closed row, then any tag end or
 * space. Within the periodic stretch every shift keeps a prefix of the next copy of the unit.
 */
function boundaryShift(text: string, at: number, p: number): number {
  let best = 0;
  let bestQ = -1;
  for (let d = 0; d < p; d++) {
    const prev = text[at + d - 1];
    const q = prev === '\n' ? 3 : text.endsWith('</tr>', at + d) ? 2 : prev === '>' || prev === ' ' ? 1 : 0;
    if (q > bestQ) {
      best = d;
      bestQ = q;
      if (q === 3) break;
    }
  }
  return best;
}

/** Periods 1..maxPeriod in one pass each; the longest non-overlapping runs win. */
function charCuts(text: string, o: Required<RepetitionOptions>): Cut[] {
  const n = text.length;
  const cands: (Cut & { p: number })[] = [];
  for (let p = 1; p <= Math.min(o.maxPeriod, Math.floor(n / 2)); p++) {
    let run = 0;
    for (let i = 0; i + p <= n; i++) {
      if (i + p < n && text.charCodeAt(i) === text.charCodeAt(i + p)) {
        run++;
        continue;
      }
      // text[a .. a+run+p) is p-periodic: keep its first cycle and cut the whole cycles after it.
      // The partial cycle left over completes the unit when the run started mid-unit (the
      // `</td></tr>` closing a repeated row); at the very end of the answer it is a unit cut off by
      // max_tokens, and goes too.
      if (run >= o.minSpan && Math.floor((run + p) / p) >= o.minRepeats) {
        const a = i - run;
        if (hasContent(text.slice(a, a + p))) {
          if (a + p + run === n) cands.push({ start: a + p + boundaryShift(text, a + p, p), end: n, p });
          else cands.push({ start: a + p, end: a + p + Math.floor(run / p) * p, p });
        }
      }
      run = 0;
    }
  }
  cands.sort((x, y) => y.end - y.start - (x.end - x.start) || x.p - y.p);
  const chosen: Cut[] = [];
  for (const c of cands) if (!chosen.some((d) => c.start < d.end && d.start < c.end)) chosen.push(c);
  return chosen;
}

/** Cut degenerate repetition out of a VLM answer (see the header comment). */
export function trimRepetition(answer: string, opts: RepetitionOptions = {}): RepetitionResult {
  const o = { ...DEFAULTS, ...opts };
  let text = answer;
  let runs = 0;
  let endsInLoop = false;
  for (const find of [groundedBlockCuts, lineCuts, charCuts]) {
    const cuts = find(text, o);
    if (cuts.length) {
      runs += cuts.length;
      if (cuts.some((c) => !text.slice(c.end).trim())) endsInLoop = true;
      text = applyCuts(text, cuts);
    }
  }
  const removedChars = answer.length - text.length;
  return { text, runs, removedChars, removedFraction: answer.length ? removedChars / answer.length : 0, endsInLoop };
}
