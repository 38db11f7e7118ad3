import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHtmlTableRows } from '@ocrflow/engines';
import { treeEditDistance, type TreeNode } from '../src/metrics/tree-edit.distance.ts';
import { teds, tedsOfDocument, levenshtein } from '../src/metrics/teds.metric.ts';

const datasets = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets');
const t = (rows: string) => `<table>${rows}</table>`;
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

function tree(spec: string): TreeNode<string> {
  // "f(d(a c(b)) e)" → a labelled ordered tree
  let i = 0;
  const parse = (): TreeNode<string> => {
    let label = '';
    while (i < spec.length && /[a-z]/.test(spec[i])) label += spec[i++];
    const node: TreeNode<string> = { value: label, children: [] };
    if (spec[i] === '(') {
      i++;
      while (spec[i] !== ')') {
        if (spec[i] === ' ') {
          i++;
          continue;
        }
        node.children.push(parse());
      }
      i++;
    }
    return node;
  };
  return parse();
}
const unit = { insert: () => 1, remove: () => 1, rename: (a: string, b: string) => (a === b ? 0 : 1) };

test('tree edit distance: the Zhang–Shasha paper example is 2', () => {
  assert.equal(treeEditDistance(tree('f(d(a c(b)) e)'), tree('f(c(d(a b)) e)'), unit), 2);
});

test('tree edit distance: hand-computed small cases', () => {
  assert.equal(treeEditDistance(tree('a'), tree('a'), unit), 0);
  assert.equal(treeEditDistance(tree('a'), tree('b'), unit), 1);
  assert.equal(treeEditDistance(tree('a(b c)'), tree('a(c)'), unit), 1); // delete b
  assert.equal(treeEditDistance(tree('a(b(c d))'), tree('a(c d)'), unit), 1); // delete inner b, children move up
  assert.equal(treeEditDistance(tree('a(b c d)'), tree('a(d c b)'), unit), 2); // rename b↔d
  assert.equal(treeEditDistance(tree('a'), tree('a(b(c d) e)'), unit), 4);
});

test('levenshtein', () => {
  assert.equal(levenshtein([...'kitten'], [...'sitting']), 3);
  assert.equal(levenshtein([], [...'abc']), 3);
  assert.equal(levenshtein([...'报告周期'], [...'报告周朗']), 1);
});

test('parser drops thead/tbody and inline markup, keeps raw "<" as text, decodes entities', () => {
  const [tb] = parseHtmlTableRows(
    '<table><thead><tr><td><b>H</b><sup>1</sup></td><td rowspan="2" colspan=\'3\'>x</td></tr></thead>' +
      '<tbody><tr><td>load values < 100 CFU/L &amp; 1 &lt; 2<br>next</td></tbody></table>',
  );
  assert.equal(tb.rows.length, 2);
  assert.deepEqual(tb.rows[0], [
    { colspan: 1, rowspan: 1, text: 'H1' },
    { colspan: 3, rowspan: 2, text: 'x' },
  ]);
  assert.deepEqual(tb.rows[1], [{ colspan: 1, rowspan: 1, text: 'load values < 100 CFU/L & 1 < 2 next' }]);
});

test('TEDS: identical tables score 1, th equals td', () => {
  const a = t('<tr><td>a</td><td colspan="2">b</td></tr><tr><td>1</td><td>2</td><td>3</td></tr>');
  assert.equal(teds(a, a), 1);
  assert.equal(teds(a.replace(/td/g, 'th'), a), 1);
});

test('TEDS: a missing cell costs one node of three', () => {
  // truth: tr, td, td = 3 nodes; delete one td → 1 − 1/3
  close(teds(t('<tr><td>a</td></tr>'), t('<tr><td>a</td><td>b</td></tr>')), 2 / 3);
});

test('TEDS: a different colspan is a full rename, whatever the text', () => {
  // rename td(cs=2,"a")→td("a") costs 1, insert td("b") costs 1 → 1 − 2/3
  const pred = t('<tr><td colspan="2">a</td></tr>');
  const truth = t('<tr><td>a</td><td>b</td></tr>');
  close(teds(pred, truth), 1 / 3);
  close(teds(pred, truth, { structureOnly: true }), 1 / 3);
});

test('TEDS: text differences cost normalised Levenshtein; TEDS-S ignores them', () => {
  const pred = t('<tr><td>abcd</td><td>b</td></tr>');
  const truth = t('<tr><td>abce</td><td>b</td></tr>');
  close(teds(pred, truth), 1 - 0.25 / 3);
  assert.equal(teds(pred, truth, { structureOnly: true }), 1);
});

test('TEDS: a missing row costs its row node and its cells', () => {
  const truth = t('<tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr>');
  close(teds(t('<tr><td>a</td><td>b</td></tr>'), truth), 1 - 3 / 6);
  assert.equal(teds('', truth), 0);
});

test('document TEDS matches tables in order and counts unmatched tables as 0', () => {
  const a = t('<tr><td>a</td></tr>');
  const b = t('<tr><td>b</td><td>c</td></tr>');
  const r = tedsOfDocument([a], `${a}\n${b}\n`);
  assert.ok(r);
  close(r.teds, 0.5);
  assert.equal(r.predicted, 1);
  assert.equal(r.truth, 2);
  assert.equal(tedsOfDocument([a], ''), null);
});

test('every PubTabNet ground truth parses into rectangular grids and scores 1 against itself', () => {
  const dir = path.join(datasets, 'pubtabnet-dev');
  const files = readdirSync(dir).filter((f) => f.endsWith('.gt.html'));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const html = readFileSync(path.join(dir, f), 'utf8');
    const [tb] = parseHtmlTableRows(html);
    assert.ok(tb.rows.length >= 2, f);
    // the slot count covered by each row (spans included) is the same for every row
    const width = new Map<number, number>();
    tb.rows.forEach((r, i) =>
      r.forEach((c) => {
        for (let k = 0; k < c.rowspan; k++) width.set(i + k, (width.get(i + k) ?? 0) + c.colspan);
      }),
    );
    assert.equal(new Set(width.values()).size, 1, f);
    assert.equal(teds(html, html), 1);
  }
});
