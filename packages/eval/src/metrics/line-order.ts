/**
 * A diagnostic beside the dataset's CER, never a replacement for it: CER with the ground-truth lines
 * put in the reading order of the prediction.
 *
 * SROIE's `gt.txt` lists lines in the annotators' order, which often is not the reading order: item
 * tables transcribed column by column (all codes, then all quantities, then all prices), footer
 * lines moved up. CER is order-sensitive, so on such receipts it mostly measures that order. Here
 * every truth line is first located in the prediction (semi-global alignment: the line may match
 * anywhere in the page text at the cost of its edits), longest lines first, each claiming the
 * characters it matched so that a short line ("1", "10.00") cannot reuse text another line already
 * explains; the truth lines are then concatenated in the order of their positions and scored with
 * the ordinary CER. Every misread, lost or invented character still counts; only the order of whole
 * lines is forgiven. A bag-of-characters comparison would forgive more (order inside lines too).
 */
import { cerCounts, normalizeForCer, type CerCounts } from './text.metrics.ts';

/** Where `pat` aligns in `text` with the fewest edits, start and end free: [start, end) and the edits. */
export function alignInText(pat: readonly string[], text: readonly string[], blocked?: Uint8Array): { start: number; end: number; cost: number } {
  const n = pat.length,
    m = text.length;
  let prev = new Int32Array(m + 1),
    cur = new Int32Array(m + 1);
  let prevS = new Int32Array(m + 1),
    curS = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prevS[j] = j; // row 0: a match may start anywhere, for free
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    curS[0] = 0;
    const c = pat[i - 1];
    for (let j = 1; j <= m; j++) {
      // A character already claimed by another line never matches (it costs a substitution).
      const same = c === text[j - 1] && !(blocked && blocked[j - 1]);
      const sub = prev[j - 1] + (same ? 0 : 1),
        del = prev[j] + 1,
        ins = cur[j - 1] + 1;
      if (sub <= del && sub <= ins) {
        cur[j] = sub;
        curS[j] = prevS[j - 1];
      } else if (del <= ins) {
        cur[j] = del;
        curS[j] = prevS[j];
      } else {
        cur[j] = ins;
        curS[j] = curS[j - 1];
      }
    }
    [prev, cur] = [cur, prev];
    [prevS, curS] = [curS, prevS];
  }
  let end = 0;
  for (let j = 1; j <= m; j++) if (prev[j] < prev[end]) end = j;
  return { start: prevS[end], end, cost: prev[end] };
}

/** The truth's lines (empty ones dropped) reordered to follow the prediction. */
export function truthInReadingOrder(pred: string, truth: string): string[] {
  const text = [...normalizeForCer(pred)];
  const blocked = new Uint8Array(text.length);
  const lines = truth
    .split(/\r?\n/)
    .map((l, i) => ({ l, i, n: [...normalizeForCer(l)] }))
    .filter((x) => x.n.length > 0);
  const placed = [...lines]
    .sort((a, b) => b.n.length - a.n.length || a.i - b.i)
    .map((x) => {
      const r = alignInText(x.n, text, blocked);
      blocked.fill(1, r.start, r.end);
      return { ...x, pos: r.start };
    });
  return placed.sort((a, b) => a.pos - b.pos || a.i - b.i).map((x) => x.l);
}

/** CER counts against the truth lines in the prediction's reading order (see the file comment). */
export function readingOrderCerCounts(pred: string, truth: string): CerCounts {
  return cerCounts(pred, truthInReadingOrder(pred, truth).join('\n'));
}
