/**
 * Fixed folds of a dataset for developing rules and fitting calibrations without fooling oneself.
 *
 * Samples that share a source (receipts of one shop) are alike — same layout, same printer, same
 * address — so a rule written on one of them is tested, not on an unseen document, when another
 * sits on the other side of the split. The folds are therefore **grouped**: every sample carries a
 * group key (for receipts, the issuer's name normalised by `vendorKey`), and a group is never split
 * between folds or between the development part and the final holdout. Using the truth to build
 * the groups is fine: only the split depends on it, never a prediction.
 *
 * Assignment is deterministic and spread: groups are visited in the order of a hash of their key
 * (stable across machines, unrelated to file names or to how large a group is) and each goes to
 * the bin — the holdout (a `holdoutShare` of the samples) or one of the `k` folds — that is
 * furthest below its target size relative to that target. A group larger than a quarter of the
 * holdout's target goes to a fold, so that the final figure is over many sources and not one
 * shop's. Without a group key every sample is its own group.
 */
import { createHash } from 'node:crypto';

export interface FoldPlan<T> {
  k: number;
  /** Development samples with their fold (0…k-1), in name order. */
  dev: { sample: T; fold: number }[];
  /** The final holdout, in name order. */
  holdout: T[];
  /** Group key of every sample, by name. */
  groupOf: Map<string, string>;
}

export interface FoldOptions<T> {
  k?: number;
  holdoutShare?: number;
  /** Key of the sample's group (samples of one source); default: the sample's own name. */
  group?: (sample: T) => string;
}

/** Words that say what kind of business a name is, not which one: dropped from a vendor key. */
const LEGAL_FORMS = new Set([
  'SDN',
  'BHD',
  'BERHAD',
  'SB',
  'PLT',
  'LTD',
  'LIMITED',
  'INC',
  'LLC',
  'CO',
  'COMPANY',
  'CORP',
  'GMBH',
  'PTE',
  'PTY',
  'OWNER',
  'OWN',
  'OWNED',
  'BY',
]);

/**
 * A shop's name reduced to what identifies it: upper case, a parenthesised branch or country
 * (`(M)`, `(JOHOR)`) and legal-form words removed (`S/B` → SB is one), then letters and digits
 * only. `MR. D.I.Y. (KUCHAI) SDN BHD` and `MR D.I.Y. (M) SDN BHD` both give `MRDIY`.
 */
export function vendorKey(name: string): string {
  const words = name
    .toUpperCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\bS\s*\/\s*B\b/g, ' SB ')
    .split(/[^A-Z0-9]+/)
    .filter((w) => w && !LEGAL_FORMS.has(w));
  // Letters spaced out (`D. I. Y.`) are one word: joining all is the simplest common form.
  return words.join('') || name.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function editDistanceAtMost(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return false;
    prev = cur;
  }
  return prev[b.length] <= max;
}

/** Length of the common start that marks one brand's branches (`BHPETROL…`). */
const BRAND_PREFIX = 8;

/**
 * Groups of vendor keys that stand for one source: equal keys; keys a typo apart (one edit per
 * eight characters, as annotators' slips such as `TED HENG` for `TEO HENG`); keys that share their
 * first eight characters (a chain's branches named `BRAND PLACE`). Returns key → group id (the
 * smallest key of its group). Over-grouping only makes folds coarser; under-grouping would leak.
 */
export function groupVendorKeys(keys: Iterable<string>): Map<string, string> {
  const uniq = [...new Set(keys)].sort();
  const parent = new Map(uniq.map((k) => [k, k]));
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  const union = (a: string, b: string) => {
    const ra = find(a),
      rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (let i = 0; i < uniq.length; i++)
    for (let j = i + 1; j < uniq.length; j++) {
      const a = uniq[i],
        b = uniq[j];
      const samePrefix = a.length >= BRAND_PREFIX && b.length >= BRAND_PREFIX && a.slice(0, BRAND_PREFIX) === b.slice(0, BRAND_PREFIX);
      const maxEdits = Math.floor(Math.min(a.length, b.length) / 8);
      if (samePrefix || (maxEdits > 0 && editDistanceAtMost(a, b, maxEdits))) union(a, b);
    }
  return new Map(uniq.map((k) => [k, find(k)]));
}

/** Largest share of the holdout's target one group may take. */
const MAX_HOLDOUT_GROUP_SHARE = 0.25;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const hashKey = (s: string) => createHash('sha256').update(s).digest('hex');

export function assignFolds<T extends { name: string }>(samples: readonly T[], opts: FoldOptions<T> = {}): FoldPlan<T> {
  const k = opts.k ?? 5;
  const holdoutShare = opts.holdoutShare ?? 0.2;
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer ≥ 2, got ${k}`);
  if (!(holdoutShare >= 0 && holdoutShare < 1)) throw new RangeError(`holdoutShare must be in [0, 1), got ${holdoutShare}`);
  const sorted = [...samples].sort(byName);
  const groupOf = new Map(sorted.map((s) => [s.name, opts.group ? opts.group(s) : s.name]));
  const groups = new Map<string, T[]>();
  for (const s of sorted) {
    const g = groupOf.get(s.name)!;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(s);
  }
  // Bin 0 is the holdout, bins 1…k the folds.
  const n = sorted.length;
  const targets = [n * holdoutShare, ...Array(k).fill((n * (1 - holdoutShare)) / k)] as number[];
  const sizes = targets.map(() => 0);
  const binOf = new Map<string, number>();
  const order = [...groups.keys()].sort((a, b) => (hashKey(a) < hashKey(b) ? -1 : 1));
  for (const g of order) {
    let best = -1;
    let bestDeficit = -Infinity;
    const size = groups.get(g)!.length;
    targets.forEach((t, i) => {
      if (t <= 0) return;
      // A source that would fill a large part of the holdout makes its figure one shop's figure.
      if (i === 0 && size > t * MAX_HOLDOUT_GROUP_SHARE) return;
      const deficit = (t - sizes[i]) / t;
      if (deficit > bestDeficit) {
        bestDeficit = deficit;
        best = i;
      }
    });
    binOf.set(g, best);
    sizes[best] += size;
  }
  const dev: FoldPlan<T>['dev'] = [];
  const holdout: T[] = [];
  for (const s of sorted) {
    const bin = binOf.get(groupOf.get(s.name)!)!;
    if (bin === 0) holdout.push(s);
    else dev.push({ sample: s, fold: bin - 1 });
  }
  return { k, dev, holdout, groupOf };
}

/**
 * Folds of a receipt dataset grouped by vendor: the group of a sample is the group of its truth's
 * `company` field's vendor key (samples without one are their own group).
 */
export function assignVendorFolds<T extends { name: string; truthFields?: Record<string, string> }>(
  samples: readonly T[],
  opts: Omit<FoldOptions<T>, 'group'> = {},
): FoldPlan<T> {
  const keyOf = new Map(samples.map((s) => [s.name, s.truthFields?.company ? vendorKey(s.truthFields.company) : `\0${s.name}`]));
  const grouped = groupVendorKeys([...keyOf.values()].filter((x) => !x.startsWith('\0')));
  return assignFolds(samples, {
    ...opts,
    group: (s) => {
      const key = keyOf.get(s.name)!;
      return grouped.get(key) ?? key;
    },
  });
}
