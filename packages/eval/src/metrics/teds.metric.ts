/**
 * TEDS and TEDS-S: tree-edit-distance similarity of table structure (Zhong, ShafieiBavani & Jimeno
 * Yepes, "Image-based table recognition: data, model, and evaluation", ECCV 2020).
 *
 *   TEDS(Ta, Tb) = 1 − TED(Ta, Tb) / max(|Ta|, |Tb|)
 *
 * Costs follow the paper's reference implementation (PubTabNet `src/metric.py`): inserting or
 * deleting a node costs 1; renaming costs 1 when the tags or the colspan/rowspan differ, otherwise,
 * for two cells, the Levenshtein distance of their texts over the longer text's length (0 for TEDS-S,
 * which ignores text). |T| counts the nodes below `<table>` (rows and cells), as `.//*` does there.
 *
 * Where ocrflow deliberately differs, and why:
 * - The trees are table → tr → td. `thead`/`tbody` are dropped and `th` counts as `td`: whether a row
 *   sits in a `thead` is markup, not structure a picture shows, and PP-Structure's reference output
 *   has no such wrappers while PubTabNet's ground truth does.
 * - Cell text is compared as characters after removing inline markup (`<b>`, `<i>`, `<sup>`),
 *   decoding entities, collapsing white space and NFKC normalisation (full-width `：（` and ASCII
 *   `:(` are the same text; PP-Structure writes one, our recogniser the other). The reference implementation compares markup tokens
 *   too, which an OCR pipeline that outputs plain text can never produce; and its node count includes
 *   those inline tags, which inflates the denominator. Our numbers are therefore a little stricter.
 */
import { isTableBlock, tableToHtml } from '@ocrflow/core';
import type { MetricModule } from '../metric.types.ts';
import { parseHtmlTableRows, type HtmlTable } from '@ocrflow/engines';
import { countNodes, treeEditDistance, type TreeNode } from './tree-edit.distance.ts';

interface TedsNode {
  tag: 'table' | 'tr' | 'td';
  colspan: number;
  rowspan: number;
  /** Characters of the cell text (code points). */
  text: string[];
}

export function tableToTree(t: HtmlTable): TreeNode<TedsNode> {
  return {
    value: { tag: 'table', colspan: 1, rowspan: 1, text: [] },
    children: t.rows.map((r) => ({
      value: { tag: 'tr', colspan: 1, rowspan: 1, text: [] },
      children: r.map((c) => ({ value: { tag: 'td', colspan: c.colspan, rowspan: c.rowspan, text: [...c.text.normalize('NFKC')] }, children: [] })),
    })),
  };
}

/** Levenshtein distance over arrays of code points (two-row dynamic programme). */
export function levenshtein(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (ai === b[j - 1] ? 0 : 1);
      const d = prev[j] + 1;
      const ins = cur[j - 1] + 1;
      cur[j] = sub < d ? (sub < ins ? sub : ins) : d < ins ? d : ins;
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

function renameCost(structureOnly: boolean) {
  return (a: TedsNode, b: TedsNode): number => {
    if (a.tag !== b.tag || a.colspan !== b.colspan || a.rowspan !== b.rowspan) return 1;
    if (structureOnly || a.tag !== 'td') return 0;
    const max = Math.max(a.text.length, b.text.length);
    return max === 0 ? 0 : levenshtein(a.text, b.text) / max;
  };
}

/** TEDS of two parsed tables (1 = identical). */
export function tedsOfTables(pred: HtmlTable, truth: HtmlTable, opts: { structureOnly?: boolean } = {}): number {
  const a = tableToTree(pred);
  const b = tableToTree(truth);
  const n = Math.max(countNodes(a), countNodes(b)) - 1; // nodes below <table>
  if (n <= 0) return 1;
  const d = treeEditDistance(a, b, { insert: () => 1, remove: () => 1, rename: renameCost(opts.structureOnly ?? false) });
  return Math.max(0, 1 - d / n);
}

/** TEDS of one table's HTML against another's (the first `<table>` of each). */
export function teds(predHtml: string, truthHtml: string, opts: { structureOnly?: boolean } = {}): number {
  const p = parseHtmlTableRows(predHtml)[0];
  const t = parseHtmlTableRows(truthHtml)[0];
  if (!t) return p ? 0 : 1;
  if (!p) return 0;
  return tedsOfTables(p, t, opts);
}

export interface DocumentTeds {
  teds: number;
  teds_s: number;
  /** Tables on each side. */
  predicted: number;
  truth: number;
}

/**
 * One document's score. The datasets list a document's tables in reading order, and so does the
 * pipeline, so tables are matched by position; a table on one side without a partner scores 0, and
 * the document's score is the mean over max(predicted, truth) tables. Null when the ground truth has
 * no table (nothing to measure).
 */
export function tedsOfDocument(predTables: readonly string[], truthHtml: string): DocumentTeds | null {
  const truth = parseHtmlTableRows(truthHtml);
  if (truth.length === 0) return null;
  const pred = predTables.flatMap((h) => parseHtmlTableRows(h));
  const n = Math.max(truth.length, pred.length);
  let s = 0;
  let ss = 0;
  for (let i = 0; i < Math.min(truth.length, pred.length); i++) {
    s += tedsOfTables(pred[i], truth[i]);
    ss += tedsOfTables(pred[i], truth[i], { structureOnly: true });
  }
  return { teds: s / n, teds_s: ss / n, predicted: pred.length, truth: truth.length };
}

/**
 * The runner's TEDS module: each document's table blocks (pages and reading order) against the
 * sample's `gt.html`, or, where a dataset has no ground truth but a peer's reference output
 * (`ref.html`, PP-StructureV3 on cn-report-dev), against that. Mean over the documents scored.
 */
export const tedsMetrics: MetricModule = {
  name: 'teds',
  keys: ['teds', 'teds_s'],
  create() {
    let n = 0,
      s = 0,
      ss = 0;
    return {
      add({ sample, doc }) {
        const truth = sample.truthHtml ?? sample.refHtml;
        if (!truth) return;
        const pred = doc.pages.flatMap((p) => p.blocks.filter(isTableBlock).map((b) => tableToHtml(b.table)));
        const r = tedsOfDocument(pred, truth);
        if (!r) return;
        n++;
        s += r.teds;
        ss += r.teds_s;
      },
      result: () => ({ teds: n ? s / n : null, teds_s: n ? ss / n : null }),
    };
  },
};
