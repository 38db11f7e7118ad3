/**
 * Ruling-line segments from an ink mask.
 *
 * A horizontal rule is a long run of ink along a pixel row. To tolerate skew, each row is OR-ed with
 * its neighbours first (a vertical dilation by `dilate` pixels): a line of thickness t at slope s then
 * still yields runs of about (t + 2·dilate)/s pixels, long enough at the few degrees of a phone photo.
 * Runs that touch from row to row are grouped, and each group becomes a straight segment fitted by
 * least squares (so lines need not be axis-aligned, and the slight keystone of a photo is followed
 * line by line). Collinear pieces of a line broken by a scan or crossed by text are then joined.
 * Vertical rules run the same code on the transposed mask.
 *
 * Segments use an orientation-free frame: `along` is x for horizontal rules and y for vertical ones,
 * `cross` the other coordinate, and the segment is cross(along) = c + slope·along for along in [a0, a1].
 */
import { transposeMask } from './ink.binarize.ts';

export interface RuleSegment {
  c: number;
  slope: number;
  a0: number;
  a1: number;
  thickness: number;
}

export function crossAt(s: RuleSegment, along: number): number {
  return s.c + s.slope * along;
}

export interface RuleOptions {
  /** Shortest run accepted as part of a rule. */
  minRun: number;
  /** Shortest final segment. */
  minLength: number;
  /** Thicker ink is a filled area or a picture, not a rule. */
  maxThickness: number;
  /** Largest gap bridged when joining collinear pieces. */
  maxGap: number;
  /** Neighbouring rows OR-ed in before finding runs (skew tolerance). */
  dilate?: number;
  /** Bound on the number of segments kept (longest first): pathological pages never blow up. */
  maxSegments?: number;
}

interface Run {
  line: number;
  s: number;
  e: number;
}

/**
 * Runs of at least `minRun` ink pixels along each row of the mask OR-ed with its ±`dilate`
 * neighbours. Only every `minRun`-th pixel is probed: a run that long must cover a probe, and a
 * probe on ink is grown both ways to the run's ends. Same runs as a full scan, at a fraction of the
 * reads on a mostly blank page (this was the table stage's hottest loop).
 */
function findRuns(mask: Uint8Array, w: number, h: number, minRun: number, dilate: number): Run[] {
  const runs: Run[] = [];
  const step = Math.max(1, minRun);
  const rows: number[] = [];
  for (let y = 0; y < h; y++) {
    rows.length = 0;
    for (let dy = -dilate; dy <= dilate; dy++) {
      const yy = y + dy;
      if (yy >= 0 && yy < h) rows.push(yy * w);
    }
    const nr = rows.length;
    const r0 = rows[0],
      r1 = nr > 1 ? rows[1] : r0,
      r2 = nr > 2 ? rows[2] : r0;
    const ink =
      nr <= 3
        ? (x: number) => (mask[r0 + x] | mask[r1 + x] | mask[r2 + x]) !== 0
        : (x: number) => {
            for (let k = 0; k < nr; k++) if (mask[rows[k] + x]) return true;
            return false;
          };
    let x = step - 1;
    while (x < w) {
      if (!ink(x)) {
        x += step;
        continue;
      }
      let s = x,
        e = x + 1;
      while (s > 0 && ink(s - 1)) s--;
      while (e < w && ink(e)) e++;
      if (e - s >= minRun) runs.push({ line: y, s, e });
      // The next run starts after e + 1 (one blank between); probe from there.
      x = e + step;
    }
  }
  return runs;
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/** Least-squares fit cross = c + slope·along over points sampled along each run. */
function fitGroup(runs: Run[], dilate: number): RuleSegment {
  let n = 0,
    sa = 0,
    sc = 0,
    saa = 0,
    sac = 0,
    a0 = Infinity,
    a1 = -Infinity,
    ink = 0;
  for (const r of runs) {
    const len = r.e - r.s;
    ink += len;
    if (r.s < a0) a0 = r.s;
    if (r.e > a1) a1 = r.e;
    const step = Math.max(2, len / 24);
    for (let a = r.s + step / 2; a < r.e; a += step) {
      n++;
      sa += a;
      sc += r.line;
      saa += a * a;
      sac += a * r.line;
    }
  }
  const den = n * saa - sa * sa;
  const slope = den > 1e-9 ? (n * sac - sa * sc) / den : 0;
  const c = (sc - slope * sa) / Math.max(1, n);
  const span = Math.max(1, a1 - a0);
  // Every along-position of a rule of thickness t is covered by about t + 2·dilate dilated rows.
  const thickness = Math.max(1, ink / span - 2 * dilate);
  return { c, slope, a0, a1, thickness };
}

/** Segments along rows of `mask` (w×h). */
export function detectSegments(mask: Uint8Array, w: number, h: number, o: RuleOptions): RuleSegment[] {
  const dilate = o.dilate ?? 1;
  const runs = findRuns(mask, w, h, o.minRun, dilate);
  if (runs.length === 0) return [];
  // Group runs that overlap on consecutive rows (runs are sorted by row, then start).
  const parent = Int32Array.from(runs.keys());
  let prevStart = 0,
    prevEnd = 0,
    curStart = 0;
  for (let i = 0; i < runs.length; i++) {
    if (i === 0 || runs[i].line !== runs[i - 1].line) {
      if (i > 0 && runs[i].line === runs[i - 1].line + 1) {
        prevStart = curStart;
        prevEnd = i;
      } else {
        prevStart = prevEnd = i;
      }
      curStart = i;
    }
    for (let j = prevStart; j < prevEnd; j++) {
      if (runs[j].s < runs[i].e && runs[i].s < runs[j].e) {
        const a = find(parent, i),
          b = find(parent, j);
        if (a !== b) parent[a] = b;
      }
    }
  }
  const groups = new Map<number, Run[]>();
  for (let i = 0; i < runs.length; i++) {
    const r = find(parent, i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(runs[i]);
  }
  let segs: RuleSegment[] = [];
  for (const g of groups.values()) {
    const s = fitGroup(g, dilate);
    if (s.thickness <= o.maxThickness && Math.abs(s.slope) < 0.15) segs.push(s);
  }
  if (segs.length > 6000) segs = segs.sort((a, b) => b.a1 - b.a0 - (a.a1 - a.a0)).slice(0, 6000);
  segs = joinCollinear(segs, o.maxGap);
  segs = segs.filter((s) => s.a1 - s.a0 >= o.minLength);
  segs.sort((a, b) => b.a1 - b.a0 - (a.a1 - a.a0));
  return segs.slice(0, o.maxSegments ?? 4000);
}

/**
 * Join pieces of one rule: similar slope, and at the gap between them both predict the same cross
 * position (within a couple of pixels or the thickness). Overlapping duplicates merge too.
 */
export function joinCollinear(segs: RuleSegment[], maxGap: number): RuleSegment[] {
  const out = [...segs].sort((a, b) => crossAt(a, (a.a0 + a.a1) / 2) - crossAt(b, (b.a0 + b.a1) / 2));
  let merged = true;
  let guard = 0;
  while (merged && guard++ < 8) {
    merged = false;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        // Read out[i] afresh: it grows with each joint (a rule broken into many dashes).
        const a = out[i];
        const b = out[j];
        const ca = crossAt(a, (a.a0 + a.a1) / 2),
          cb = crossAt(b, (b.a0 + b.a1) / 2);
        const tol = Math.max(2.5, Math.max(a.thickness, b.thickness));
        if (Math.abs(cb - ca) > tol + 0.2 * Math.abs((a.a0 + a.a1 - b.a0 - b.a1) / 2)) continue; // cheap reject (|slope| < 0.15)
        if (Math.abs(a.slope - b.slope) > 0.03) continue;
        const gap = Math.max(a.a0, b.a0) - Math.min(a.a1, b.a1);
        if (gap > maxGap) continue;
        const at = gap > 0 ? (Math.min(a.a1, b.a1) + Math.max(a.a0, b.a0)) / 2 : (Math.max(a.a0, b.a0) + Math.min(a.a1, b.a1)) / 2;
        if (Math.abs(crossAt(a, at) - crossAt(b, at)) > tol) continue;
        // Length-weighted blend of the two lines, anchored at the joint.
        const la = a.a1 - a.a0,
          lb = b.a1 - b.a0;
        const slope = (a.slope * la + b.slope * lb) / (la + lb);
        const crossMid = (crossAt(a, at) * la + crossAt(b, at) * lb) / (la + lb);
        out[i] = {
          c: crossMid - slope * at,
          slope,
          a0: Math.min(a.a0, b.a0),
          a1: Math.max(a.a1, b.a1),
          thickness: (a.thickness * la + b.thickness * lb) / (la + lb),
        };
        out.splice(j, 1);
        merged = true;
        j = i; // re-scan partners of the grown segment
      }
    }
  }
  return out;
}

export interface Rulings {
  /** along = x, cross = y */
  horizontal: RuleSegment[];
  /** along = y, cross = x */
  vertical: RuleSegment[];
}

export function detectRulings(mask: Uint8Array, w: number, h: number, o: RuleOptions): Rulings {
  const horizontal = detectSegments(mask, w, h, o);
  const t = transposeMask(mask, w, h);
  const vertical = detectSegments(t, h, w, o);
  return { horizontal, vertical };
}
