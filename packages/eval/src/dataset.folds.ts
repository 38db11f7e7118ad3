/**
 * Fixed folds of a dataset for developing rules and fitting calibrations without fooling oneself.
 *
 * The samples, in name order, are split once: the last `holdoutShare` of them are the final
 * holdout — never looked at while rules are written, scored once at the end — and the others
 * (the development part) are dealt into `k` folds by position: sample i is in fold i mod k. With
 * sroie-dev's 200 receipts and the defaults, sroie-000…159 are the development part (fold =
 * number mod 5) and sroie-160…199 the holdout. Name order and position make the folds the same on
 * every machine and stable when samples are appended (new ones land in the holdout's range).
 */
export interface FoldPlan<T> {
  k: number;
  /** Development samples with their fold (0…k-1). */
  dev: { sample: T; fold: number }[];
  /** The final holdout, in name order. */
  holdout: T[];
}

export function assignFolds<T extends { name: string }>(samples: readonly T[], k = 5, holdoutShare = 0.2): FoldPlan<T> {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer ≥ 2, got ${k}`);
  if (!(holdoutShare >= 0 && holdoutShare < 1)) throw new RangeError(`holdoutShare must be in [0, 1), got ${holdoutShare}`);
  const sorted = [...samples].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const nDev = sorted.length - Math.floor(sorted.length * holdoutShare);
  return {
    k,
    dev: sorted.slice(0, nDev).map((sample, i) => ({ sample, fold: i % k })),
    holdout: sorted.slice(nDev),
  };
}
