import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Table, TableCell } from '@ocrflow/core';
import { analyseTable } from '../src/tables.stats.ts';

function table(rows: string[][], headerRows = 1): Table {
  const cells: TableCell[] = [];
  rows.forEach((r, i) => r.forEach((text, j) => cells.push({ row: i, col: j, row_span: 1, col_span: 1, bbox: null, text, lines: [], header: i < headerRows })));
  return { n_rows: rows.length, n_cols: rows[0].length, cells, ruled: true };
}

test('tables: numeric column stats over body rows, total rows excluded', () => {
  const t = table([
    ['项目', '数量', '单价', '金额'],
    ['A', '2', '10.00', '20.00'],
    ['B', '1', '5.50', '5.50'],
    ['C', '4', '1,000.00', '4,000.00'],
    ['合计', '7', '', '4,025.50'],
  ]);
  const a = analyseTable(t, 0, 'p0-b1');
  assert.deepEqual(a.total_rows, [4]);
  assert.deepEqual(
    a.columns.map((c) => c.col),
    [1, 2, 3],
  );
  const amount = a.columns.find((c) => c.col === 3)!;
  assert.deepEqual(amount, { col: 3, header: '金额', rows: [1, 3], count: 3, sum: 4025.5, min: 5.5, max: 4000 });
  assert.equal(a.columns.find((c) => c.col === 1)!.sum, 7);
  assert.deepEqual(a.mismatches, []);
});

test('tables: a total row that does not add up is reported', () => {
  const t = table([
    ['Item', 'Qty', 'Amount'],
    ['A', '2', '20.00'],
    ['B', '1', '5.50'],
    ['TOTAL', '3', '26.50'],
  ]);
  const a = analyseTable(t, 0, 'p0-b0');
  assert.deepEqual(a.mismatches, [{ kind: 'column', row: 3, col: 2, stated: 26.5, computed: 25.5, label: 'TOTAL' }]);
});

test('tables: subtotals sum their section, the grand total the subtotals', () => {
  const t = table([
    ['Item', 'Amount'],
    ['A', '1.00'],
    ['B', '2.00'],
    ['小计', '3.00'],
    ['C', '4.00'],
    ['小计', '4.00'],
    ['合计', '7.00'],
  ]);
  assert.deepEqual(analyseTable(t, 0, 'b').mismatches, []);
  assert.deepEqual(analyseTable(t, 0, 'b').total_rows, [3, 5, 6]);
});

test('tables: a row-total column is checked only against the rule most rows follow', () => {
  // 合计 = Q1 + Q2 in rows 1, 2 and 4; row 3 is off by 10.
  const sums = table([
    ['Region', 'Q1', 'Q2', '合计'],
    ['N', '10', '20', '30'],
    ['S', '5', '5', '10'],
    ['E', '1', '2', '13'],
    ['W', '7', '8', '15'],
  ]);
  assert.deepEqual(analyseTable(sums, 0, 'b').mismatches, [{ kind: 'row', row: 3, col: 3, stated: 13, computed: 3, label: '合计' }]);
  // A "Total" column that is qty × price: the product rule is chosen, not the sum.
  const products = table([
    ['Item', 'Qty', 'Price', 'Total'],
    ['A', '2', '3.00', '6.00'],
    ['B', '3', '1.50', '4.50'],
    ['C', '4', '2.00', '9.00'],
  ]);
  assert.deepEqual(analyseTable(products, 0, 'b').mismatches, [{ kind: 'row', row: 3, col: 3, stated: 9, computed: 8, label: 'Total' }]);
});

test('tables: identifiers are not numbers', () => {
  const t = table([
    ['Code', 'Phone', 'Amount'],
    ['0012', '0123456789', '1.00'],
    ['0013', '0123456780', '2.00'],
  ]);
  assert.deepEqual(
    analyseTable(t, 0, 'b').columns.map((c) => c.col),
    [2],
  );
});

test('tables: full-width rows split a report grid into sections with their own headers; a merged total cell covers its columns', () => {
  // A report laid out as one grid: a title row across, a small table, a section title, a fee table
  // whose total sits in a cell merged over the last two columns.
  const cells: TableCell[] = [];
  const add = (row: number, col: number, text: string, col_span = 1) => cells.push({ row, col, row_span: 1, col_span, bbox: null, text, lines: [] });
  add(0, 0, '服务报告（2025年4月-7月）', 5);
  add(1, 0, '业务类型');
  add(1, 1, '4月');
  add(1, 2, '5月');
  add(1, 3, '6月');
  add(1, 4, '');
  add(2, 0, '工单总量');
  add(2, 1, '1457');
  add(2, 2, '1510');
  add(2, 3, '1391');
  add(2, 4, '');
  add(3, 0, '5、结款明细', 5);
  add(4, 0, '费用名称');
  add(4, 1, '数量');
  add(4, 2, '单价');
  add(4, 3, '税额');
  add(4, 4, '含税金额');
  add(5, 0, '远程');
  add(5, 1, '1421');
  add(5, 2, '71.77');
  add(5, 3, '1443.19');
  add(5, 4, '25496.29');
  add(6, 0, '现场');
  add(6, 1, '44');
  add(6, 2, '73.13');
  add(6, 3, '45.53');
  add(6, 4, '804.43');
  add(7, 0, '费用合计：', 3);
  add(7, 3, '26300.72', 2);
  const a = analyseTable({ n_rows: 8, n_cols: 5, cells, ruled: true }, 0, 'p0-b0');
  assert.deepEqual(
    a.columns.map((c) => [c.col, c.header, c.rows, c.sum]),
    [
      [1, '4月', [2, 2], 1457],
      [2, '5月', [2, 2], 1510],
      [3, '6月', [2, 2], 1391],
      [1, '数量', [5, 6], 1465],
      [2, '单价', [5, 6], 144.9],
      [3, '税额', [5, 6], 1488.72],
      [4, '含税金额', [5, 6], 26300.72],
    ],
  );
  assert.deepEqual(a.total_rows, [7]);
  // 26300.72 is the sum of 含税金额, one of the two columns its merged cell covers.
  assert.deepEqual(a.mismatches, []);
  // The same total off by one cent is reported.
  cells[cells.length - 1] = { ...cells[cells.length - 1], text: '26300.73' };
  assert.deepEqual(analyseTable({ n_rows: 8, n_cols: 5, cells, ruled: true }, 0, 'p0-b0').mismatches, [
    { kind: 'column', row: 7, col: 3, stated: 26300.73, computed: 1488.72, label: '费用合计：' },
  ]);
});
