/**
 * Tables stacked on top of each other, touching.
 *
 * Two tables printed one right under the other meet: the lower one's top rule lies on (or just
 * under) the upper one's bottom rule, and their rules form one connected group. They are still two
 * tables when their frames differ: below the cut the outer vertical rules stand elsewhere (a wider
 * or narrower table) and the outer rules of one side end at the cut. One form with several sections
 * keeps one outer frame from top to bottom, so it is not cut. Inner rules that happen to line up
 * across the cut are cut with it.
 */
import { crossAt, type RuleSegment } from './ruling.detect.ts';

export interface RuleGroup {
  h: RuleSegment[];
  v: RuleSegment[];
}

/** y of a horizontal segment at its middle. */
const yOf = (s: RuleSegment) => crossAt(s, (s.a0 + s.a1) / 2);

/**
 * The rule group cut into stacked tables (itself when there is no cut). `tol` is the slack at rule
 * ends (working pixels), `frameTol` how far the outer frames must differ to be two tables.
 */
export function splitStacked(g: RuleGroup, tol: number, frameTol: number): RuleGroup[] {
  if (g.v.length < 4 || g.h.length < 4) return [g];
  const ys = [...new Set(g.h.map((s) => Math.round(yOf(s))))].sort((a, b) => a - b);
  for (const y of ys.slice(1, -1)) {
    // The frame on each side: every vertical rule present just above (below) the cut, including
    // those that run on across it (an inner rule of the upper table lined up with one of the lower).
    const crossing = g.v.filter((v) => v.a0 < y - tol && v.a1 > y + tol);
    const above = g.v.filter((v) => v.a1 <= y + tol),
      below = g.v.filter((v) => v.a0 >= y - tol);
    if (above.length < 2 || below.length < 2) continue;
    // Compared where the rules meet the cut: a slanted photo moves a rule's middle.
    const xOf = (v: RuleSegment) => crossAt(v, y);
    const frame = (vs: RuleSegment[]) => [Math.min(...vs.map(xOf)), Math.max(...vs.map(xOf))];
    const [al, ar] = frame([...above, ...crossing]),
      [bl, br] = frame([...below, ...crossing]);
    if (Math.abs(al - bl) <= frameTol && Math.abs(ar - br) <= frameTol) continue;
    // Both frames end at the cut: each side's outermost rules stop there (a frame broken by a
    // shadow or a fold, one side seemingly narrower, is not a second table).
    const ends = (x: number, vs: RuleSegment[]) => vs.some((v) => Math.abs(xOf(v) - x) <= 0.5 * frameTol);
    if (!(ends(al, above) && ends(ar, above) && ends(bl, below) && ends(br, below))) continue;
    const clip = (v: RuleSegment, a0: number, a1: number): RuleSegment => ({ ...v, a0: Math.max(v.a0, a0), a1: Math.min(v.a1, a1) });
    const vAbove = [...above, ...crossing.map((v) => clip(v, -Infinity, y))];
    const vBelow = [...below, ...crossing.map((v) => clip(v, y, Infinity))];
    // Horizontal rules on the cut belong to whichever side's frame they fit (both when they span both).
    const top: RuleSegment[] = [],
      bottom: RuleSegment[] = [];
    for (const h of g.h) {
      const hy = yOf(h);
      if (hy < y - tol) top.push(h);
      else if (hy > y + tol) bottom.push(h);
      else {
        if (h.a0 <= al + frameTol && h.a1 >= ar - frameTol) top.push(h);
        if (h.a0 <= bl + frameTol && h.a1 >= br - frameTol) bottom.push(h);
      }
    }
    const a = { h: top, v: vAbove },
      b = { h: bottom, v: vBelow };
    if (a.h.length < 2 || b.h.length < 2) continue;
    return [...splitStacked(a, tol, frameTol), ...splitStacked(b, tol, frameTol)];
  }
  return [g];
}
