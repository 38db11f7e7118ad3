import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableToHtml, tableToRows, type Table } from '@ocrflow/core';
import { parseHtmlTable, parseHtmlTableRows, parseHtmlTables } from '../../src/markup/html-table.parser.ts';
import { parseMarkdownTable, isMarkdownTable } from '../../src/markup/markdown-table.parser.ts';

const pos = (t: Table) => t.cells.map((c) => [c.row, c.col, c.row_span, c.col_span, c.text]);

test('grid positions follow the browser table model: rowspans push later cells right', () => {
  const t = parseHtmlTable('<table><tr><td rowspan="3">A</td><td>B</td><td rowspan="2">C</td></tr><tr><td>D</td></tr><tr><td colspan="2">E</td></tr></table>');
  assert.deepEqual([t.n_rows, t.n_cols], [3, 3]);
  assert.deepEqual(pos(t), [
    [0, 0, 3, 1, 'A'],
    [0, 1, 1, 1, 'B'],
    [0, 2, 2, 1, 'C'],
    [1, 1, 1, 1, 'D'],
    [2, 1, 1, 2, 'E'],
  ]);
  assert.deepEqual(tableToRows(t), [
    ['A', 'B', 'C'],
    ['', 'D', ''],
    ['', 'E', ''],
  ]);
});

test('sloppy HTML: no closing tags, entities, <br>, attributes in any case, images', () => {
  const t = parseHtmlTable(
    '<TABLE border=1><TR><TD COLSPAN=2>Tom &amp; Jerry<br/>2024<TD>&lt;5&gt;&nbsp;kg<tr><td>1<td><img src="x.jpg"><td>  a \n  b  </table>',
  );
  assert.deepEqual(pos(t), [
    [0, 0, 1, 2, 'Tom & Jerry\n2024'],
    [0, 2, 1, 1, '<5> kg'],
    [1, 0, 1, 1, '1'],
    [1, 1, 1, 1, ''],
    [1, 2, 1, 1, 'a b'],
  ]);
});

test('thead cells are headers, rowspan=0 and overlong rowspans end with their row group', () => {
  const t = parseHtmlTable(
    '<table><thead><tr><th>k</th><td rowspan="5">v</td></tr></thead><tbody><tr><td rowspan="0">x</td><td>1</td></tr><tr><td>2</td></tr></tbody></table>',
  );
  assert.deepEqual([t.n_rows, t.n_cols], [3, 2]);
  assert.deepEqual(
    t.cells.map((c) => [c.row, c.col, c.row_span, c.text, c.header ?? false]),
    [
      [0, 0, 1, 'k', true],
      [0, 1, 1, 'v', true],
      [1, 0, 2, 'x', false],
      [1, 1, 1, '1', false],
      [2, 1, 1, '2', false],
    ],
  );
});

test('a caption and a nested table stay with their outer table; several tables are all found', () => {
  const html =
    'before <table><caption>Tab. 1 Kosten</caption><tr><td>a<table><tr><td>x</td><td>y</td></tr></table></td><td>b</td></tr></table> between <table><tr><td>2</td></tr></table>';
  const [t1, t2] = parseHtmlTables(html);
  assert.equal(t1.caption, 'Tab. 1 Kosten');
  assert.deepEqual(pos(t1), [
    [0, 0, 1, 1, 'a\nx y'],
    [0, 1, 1, 1, 'b'],
  ]);
  assert.deepEqual(pos(t2), [[0, 0, 1, 1, '2']]);
  assert.deepEqual(parseHtmlTable('no table here'), { n_rows: 0, n_cols: 0, cells: [], ruled: false });
});

test('round trip through the core HTML writer keeps the structure', () => {
  const src = '<table><tr><td rowspan="2">A</td><td colspan="2">B</td></tr><tr><td>1</td><td>2</td></tr></table>';
  assert.equal(tableToHtml(parseHtmlTable(src)), src);
});

test('rows as written (for the metrics): the same tokens as the grid, spans as attributes, text on one line', () => {
  const html =
    '<table><thead><tr><th>k<td rowspan="0">v</thead><tbody><tr><td rowspan="7">x<br>y</td><td>&times; 2</td></tr></tbody></table><p>between</p><table><tr><td>z<table><tr><td>in</td></tr></table></td></tr></table>';
  const [a, b] = parseHtmlTableRows(html);
  assert.deepEqual(a.rows, [
    [
      { colspan: 1, rowspan: 1, text: 'k' },
      { colspan: 1, rowspan: 1, text: 'v' },
    ],
    // The grid clips this span to its row group (parseHtmlTable); the metrics compare what was written.
    [
      { colspan: 1, rowspan: 7, text: 'x y' },
      { colspan: 1, rowspan: 1, text: '× 2' },
    ],
  ]);
  assert.deepEqual(b.rows, [[{ colspan: 1, rowspan: 1, text: 'z in' }]]);
  assert.equal(parseHtmlTables(html)[0].cells.find((c) => c.text === 'x\ny')?.row_span, 1);
});

test('Markdown pipe tables: header row, escaped pipes, ragged rows', () => {
  const lines = ['| Name | Wert |', '|:-----|-----:|', '| a \\| b | **1** |', '| c |'];
  assert.ok(isMarkdownTable(lines));
  const t = parseMarkdownTable(lines);
  assert.deepEqual([t.n_rows, t.n_cols], [3, 2]);
  assert.deepEqual(tableToRows(t), [
    ['Name', 'Wert'],
    ['a | b', '1'],
    ['c', ''],
  ]);
  assert.equal(t.cells[0].header, true);
  assert.equal(t.cells[2].header, undefined);
  assert.ok(!isMarkdownTable(['a | b', 'just text']));
});
