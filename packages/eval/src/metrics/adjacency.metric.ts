/**
 * Adjacency F1: the cell-relation measure of the ICDAR 2013 table competition (Göbel, Hassan,
 * Oro & Orsi, "ICDAR 2013 Table Competition"), as defined in the datasets README.
 *
 * In each table every non-empty cell is paired with the nearest non-empty cell to its right and the
 * nearest non-empty cell below it; spans are expanded onto the grid they cover and empty cells are
 * skipped over. A pair is (text, neighbour's text, direction), texts NFKC-normalised, upper-cased and
 * without white space. The predicted pairs are matched against the truth's as multisets and scored by
 * F1 per document; the set's score is the mean over documents.
 *
 * Why beside TEDS: two systems that draw the same boxes on 12 or 25 grid columns get very different
 * TEDS (every span differs) but the same relations; and when two boxes' texts fuse into one cell,
 * every relation touching either box is lost, so fusion costs here what it costs a user.
 */
import { isTableBlock, tableToHtml } from '@ocrflow/core';
import type { MetricModule } from '../metric.types.ts';
import { parseHtmlTableRows, type HtmlTable } from '@ocrflow/engines';

export type AdjacencyDirection = 'right' | 'below';

/** The text a relation compares: NFKC, upper case, no white space. */
export function normalizeCellText(s: string): string {
  return s.normalize('NFKC').toUpperCase().replace(/\s+/gu, '');
}

/**
 * The table's cells laid on their grid: `slots[r][c]` is the index of the cell covering that slot,
 * or -1 where no cell does (a ragged row). Rows and columns follow HTML's table model: a cell takes
 * the first slot of its row not already taken by a rowspan from above.
 */
function layCells(t: HtmlTable): { slots: number[][]; texts: string[] } {
  const slots: number[][] = [];
  const texts: string[] = [];
  const rowOf = (r: number) => (slots[r] ??= []);
  t.rows.forEach((row, r) => {
    let c = 0;
    for (const cell of row) {
      const here = rowOf(r);
      while (here[c] !== undefined) c++;
      const id = texts.length;
      texts.push(normalizeCellText(cell.text));
      for (let dr = 0; dr < cell.rowspan; dr++) {
        // A rowspan past the last <tr> is clipped, as browsers do.
        if (r + dr >= t.rows.length) break;
        const target = rowOf(r + dr);
        for (let dc = 0; dc < cell.colspan; dc++) target[c + dc] = id;
      }
      c += cell.colspan;
    }
  });
  const width = slots.reduce((w, r) => Math.max(w, r.length), 0);
  return { slots: slots.map((r) => Array.from({ length: width }, (_, c) => r[c] ?? -1)), texts };
}

/** Every relation of one table, as `text\u0000neighbour\u0000direction` keys (a multiset, so repeated). */
export function adjacencyPairs(t: HtmlTable): string[] {
  const { slots, texts } = layCells(t);
  const rows = slots.length;
  const cols = rows ? slots[0].length : 0;
  const pairs: string[] = [];
  // A spanning cell has a neighbour in each row (or column) it covers; the same neighbour counts once.
  const right = new Map<number, Set<number>>();
  const below = new Map<number, Set<number>>();
  const add = (m: Map<number, Set<number>>, a: number, b: number) => {
    let s = m.get(a);
    if (!s) m.set(a, (s = new Set()));
    s.add(b);
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const id = slots[r][c];
      if (id < 0 || !texts[id]) continue;
      // Only from the cell's last slot in this row / column, so the scan starts past the span.
      if (c + 1 >= cols || slots[r][c + 1] !== id) {
        for (let k = c + 1; k < cols; k++) {
          const n = slots[r][k];
          if (n >= 0 && n !== id && texts[n]) {
            add(right, id, n);
            break;
          }
        }
      }
      if (r + 1 >= rows || slots[r + 1][c] !== id) {
        for (let k = r + 1; k < rows; k++) {
          const n = slots[k][c];
          if (n >= 0 && n !== id && texts[n]) {
            add(below, id, n);
            break;
          }
        }
      }
    }
  }
  for (const [dir, m] of [
    ['right', right],
    ['below', below],
  ] as const) {
    for (const [a, ns] of m) for (const b of ns) pairs.push(`${texts[a]}\u0000${texts[b]}\u0000${dir}`);
  }
  return pairs;
}

/** F1 of two multisets of relations; 1 when both are empty. */
export function multisetF1(pred: readonly string[], truth: readonly string[]): number {
  if (pred.length === 0 && truth.length === 0) return 1;
  if (pred.length === 0 || truth.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const p of truth) counts.set(p, (counts.get(p) ?? 0) + 1);
  let matched = 0;
  for (const p of pred) {
    const n = counts.get(p) ?? 0;
    if (n > 0) {
      matched++;
      counts.set(p, n - 1);
    }
  }
  return (2 * matched) / (pred.length + truth.length);
}

/**
 * One document's adjacency F1: the relations of all its tables pooled on each side (a relation never
 * crosses tables, so pooling needs no matching of tables and does not punish a table found split in
 * two for its order). Null when the truth has no table.
 */
export function adjacencyF1OfDocument(predTables: readonly string[], truthHtml: string): number | null {
  const truth = parseHtmlTableRows(truthHtml);
  if (truth.length === 0) return null;
  const pred = predTables.flatMap((h) => parseHtmlTableRows(h));
  return multisetF1(pred.flatMap(adjacencyPairs), truth.flatMap(adjacencyPairs));
}

/** Adjacency F1 of one table's HTML against another's (all tables in each string). */
export function adjacencyF1(predHtml: string, truthHtml: string): number {
  return adjacencyF1OfDocument([predHtml], truthHtml) ?? (parseHtmlTableRows(predHtml).length ? 0 : 1);
}

/**
 * The runner's adjacency module: like TEDS, each document's table blocks against `gt.html`, or the
 * peer's `ref.html` where a dataset has no ground truth. Mean over the documents scored.
 */
export const adjacencyMetric: MetricModule = {
  name: 'adjacency',
  keys: ['adj_f1'],
  create() {
    let n = 0,
      s = 0;
    return {
      add({ sample, doc }) {
        const truth = sample.truthHtml ?? sample.refHtml;
        if (!truth) return;
        const pred = doc.pages.flatMap((p) => p.blocks.filter(isTableBlock).map((b) => tableToHtml(b.table)));
        const f = adjacencyF1OfDocument(pred, truth);
        if (f === null) return;
        n++;
        s += f;
      },
      result: () => ({ adj_f1: n ? s / n : null }),
    };
  },
};
