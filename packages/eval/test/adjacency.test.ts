import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHtmlTableRows } from '@ocrflow/engines';
import { adjacencyF1, adjacencyF1OfDocument, adjacencyPairs, multisetF1, normalizeCellText } from '../src/metrics/adjacency.metric.ts';

const datasets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets');
const t = (rows: string) => `<table>${rows}</table>`;
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);
const pairs = (html: string) =>
  adjacencyPairs(parseHtmlTableRows(html)[0])
    .map((p) => p.split('\u0000').join(' '))
    .sort();

test('a plain 2 × 2 table has two right and two below relations', () => {
  assert.deepEqual(pairs(t('<tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>')), ['A B right', 'A C below', 'B D below', 'C D right'].sort());
});

test('empty cells are skipped to the nearest non-empty neighbour, and make no relations of their own', () => {
  assert.deepEqual(
    pairs(t('<tr><td>a</td><td></td><td>b</td></tr><tr><td></td><td>x</td><td> </td></tr><tr><td>c</td><td>y</td><td>d</td></tr>')),
    ['A B right', 'A C below', 'B D below', 'X Y below', 'C Y right', 'Y D right'].sort(),
  );
});

test('spans are expanded: a row label over two rows relates to the first cell of each row, once', () => {
  const html = t('<tr><td rowspan="2">g</td><td>a</td></tr><tr><td>b</td></tr><tr><td colspan="2">total</td></tr>');
  assert.deepEqual(pairs(html), ['G A right', 'G B right', 'A B below', 'G TOTAL below', 'B TOTAL below'].sort());
  // A header spanning two columns is above both sub-headers: two relations, not one.
  assert.deepEqual(pairs(t('<tr><td colspan="2">h</td></tr><tr><td>a</td><td>b</td></tr>')), ['H A below', 'H B below', 'A B right'].sort());
});

test('texts are compared NFKC, upper-cased and without white space', () => {
  assert.equal(normalizeCellText(' 金额（元）\n total  ab '), '金额(元)TOTALAB');
  close(adjacencyF1(t('<tr><td>Total  due</td><td>１２</td></tr>'), t('<tr><td>TOTAL DUE</td><td>12</td></tr>')), 1);
});

test('the same boxes on a finer grid score the same (unlike TEDS)', () => {
  const coarse = t('<tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>');
  // Every box twice as wide, or a sliver column that only the first row's box covers: same relations.
  const wide = t('<tr><td colspan="2">a</td><td colspan="2">b</td></tr><tr><td colspan="2">c</td><td colspan="2">d</td></tr>');
  const sliver = t('<tr><td colspan="2">a</td><td>b</td></tr><tr><td>c</td><td></td><td>d</td></tr>');
  close(adjacencyF1(wide, coarse), 1);
  close(adjacencyF1(sliver, coarse), 1);
  // A box moved to another row is a different relation.
  assert.ok(adjacencyF1(t('<tr><td>a</td><td>b</td></tr><tr><td>d</td><td>c</td></tr>'), coarse) < 0.5);
});

test('two boxes fused into one cell lose every relation touching them', () => {
  const truth = t('<tr><td>模式一</td><td>1</td></tr><tr><td>模式二</td><td>2</td></tr><tr><td>人员外包</td><td>3</td></tr>');
  const fused = t('<tr><td>模式一模式二人员外包</td><td>1 2 3</td></tr>');
  // Truth: 3 right + 4 below = 7 relations; the fusion keeps one relation, and it is wrong.
  assert.equal(adjacencyPairs(parseHtmlTableRows(truth)[0]).length, 7);
  close(adjacencyF1(fused, truth), 0);
  // Two of three rows fused: only the third row's right relation survives.
  const half = t('<tr><td>模式一 模式二</td><td>1 2</td></tr><tr><td>人员外包</td><td>3</td></tr>');
  close(adjacencyF1(half, truth), (2 * 1) / (4 + 7));
});

test('a cell whose text went to its neighbour breaks its relations; a missing table scores 0', () => {
  const truth = t('<tr><td>a</td><td>b</td><td>c</td></tr>');
  close(adjacencyF1(t('<tr><td>a b</td><td></td><td>c</td></tr>'), truth), 0);
  assert.equal(adjacencyF1OfDocument([], truth), 0);
  assert.equal(adjacencyF1OfDocument([truth], '<p>no table</p>'), null);
});

test('multiset F1 counts repeated relations once each', () => {
  close(multisetF1(['x', 'x', 'y'], ['x', 'y', 'y']), (2 * 2) / 6);
  close(multisetF1([], []), 1);
  close(multisetF1(['x'], []), 0);
});

test('on the report scan, the truth scores 1 against itself and the peer scores below it', () => {
  const dir = path.join(datasets, 'cn-report-dev');
  const gt = readFileSync(path.join(dir, 'report-scan.gt.html'), 'utf8');
  const ref = readFileSync(path.join(dir, 'report-scan.ref.html'), 'utf8');
  close(adjacencyF1(gt, gt), 1);
  const f = adjacencyF1(ref, gt);
  assert.ok(f > 0.8 && f < 1, `peer adj_f1 ${f}`);
});
