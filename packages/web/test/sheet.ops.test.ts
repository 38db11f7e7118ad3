import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSheets, type Sheet } from '@ocrflow/core';
import { cellValue, columnName, deleteColumn, deleteRow, insertColumn, insertRow, mergeAt, normaliseSheet, setCell } from '../src/sheet.ops.ts';

// A header with a 2-row label (A1:A2) and a 3-column group (B1:D1), like the report's header.
const base = (): Sheet => ({
  name: 'T',
  rows: [
    ['项目', '金额', null, null],
    [null, 'a', 'b', 'c'],
    ['x', 1, 2, 3],
    ['y', 4, 5, 6],
  ],
  merges: [
    { row: 0, col: 0, row_span: 2, col_span: 1 },
    { row: 0, col: 1, row_span: 1, col_span: 3 },
  ],
});

const valid = (s: Sheet) => assert.doesNotThrow(() => validateSheets([s]), 'the server must accept the edited sheet');

test('insert a row inside a row-merge widens it, below it moves nothing', () => {
  const inside = insertRow(base(), 1);
  assert.equal(inside.rows.length, 5);
  assert.deepEqual(inside.merges[0], { row: 0, col: 0, row_span: 3, col_span: 1 });
  assert.deepEqual(inside.merges[1], { row: 0, col: 1, row_span: 1, col_span: 3 });
  valid(inside);
  const below = insertRow(base(), 2);
  assert.deepEqual(below.merges, base().merges);
  assert.deepEqual(below.rows[2], [null, null, null, null]);
  assert.deepEqual(below.rows[3], ['x', 1, 2, 3]);
  const above = insertRow(base(), 0);
  assert.deepEqual(
    above.merges.map((m) => m.row),
    [1, 1],
  );
  valid(above);
});

test('insert a column inside a column-merge widens it, at its left edge moves it', () => {
  const inside = insertColumn(base(), 2);
  assert.deepEqual(inside.merges[1], { row: 0, col: 1, row_span: 1, col_span: 4 });
  assert.deepEqual(inside.rows[2], ['x', 1, null, 2, 3]);
  valid(inside);
  const edge = insertColumn(base(), 1);
  assert.deepEqual(edge.merges[1], { row: 0, col: 2, row_span: 1, col_span: 3 });
  assert.deepEqual(edge.merges[0], base().merges[0]);
  valid(edge);
  const end = insertColumn(base(), 4);
  assert.deepEqual(end.rows[0], ['项目', '金额', null, null, null]);
  valid(end);
});

test('deleting the top row of a merge keeps its text and shrinks it; a 1×1 merge disappears', () => {
  const s = deleteRow(base(), 0);
  assert.equal(s.rows.length, 3);
  assert.equal(s.rows[0][0], '项目', 'the label moved down into the slot that became the top-left');
  assert.deepEqual(s.merges, [], 'A1:A2 became one cell, B1:D1 was deleted with its row');
  valid(s);
});

test('deleting a column inside a merge shrinks it; deleting its first column keeps the text', () => {
  const mid = deleteColumn(base(), 2);
  assert.deepEqual(mid.merges[1], { row: 0, col: 1, row_span: 1, col_span: 2 });
  assert.deepEqual(mid.rows[3], ['y', 4, 6]);
  valid(mid);
  const first = deleteColumn(base(), 1);
  assert.equal(first.rows[0][1], '金额');
  assert.deepEqual(first.merges[1], { row: 0, col: 1, row_span: 1, col_span: 2 });
  valid(first);
  const right = deleteColumn(base(), 3);
  assert.deepEqual(right.merges[1], { row: 0, col: 1, row_span: 1, col_span: 2 });
  valid(right);
});

test('the last row or column is never deleted; inputs are not changed', () => {
  const one: Sheet = { name: 'x', rows: [['a']], merges: [] };
  assert.equal(deleteRow(one, 0), one);
  assert.equal(deleteColumn(one, 0), one);
  const b = base();
  const copy = JSON.parse(JSON.stringify(b)) as Sheet;
  insertRow(b, 1);
  deleteColumn(b, 1);
  setCell(b, 2, 1, 'z');
  assert.deepEqual(b, copy);
});

test('cell values, merge lookup, names and normalising', () => {
  assert.equal(cellValue(''), null);
  assert.equal(cellValue('0012'), '0012');
  assert.equal(cellValue(3.5), 3.5);
  assert.equal(setCell(base(), 2, 1, 'edited').rows[2][1], 'edited');
  assert.deepEqual(mergeAt(base(), 1, 0), base().merges[0]);
  assert.equal(mergeAt(base(), 2, 0), undefined);
  assert.deepEqual([0, 25, 26, 701].map(columnName), ['A', 'Z', 'AA', 'ZZ']);
  assert.deepEqual(normaliseSheet({ name: 'n', rows: [['a'], ['b', 'c']], merges: [] }).rows, [
    ['a', null],
    ['b', 'c'],
  ]);
  assert.deepEqual(normaliseSheet({ name: 'n', rows: [], merges: [] }).rows, [[null]]);
});

test('a sequence of random edits always yields a sheet the server accepts', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let s = base();
  for (let i = 0; i < 300; i++) {
    const rows = s.rows.length;
    const cols = s.rows[0].length;
    const op = rnd(4);
    if (op === 0) s = insertRow(s, rnd(rows + 1));
    else if (op === 1) s = insertColumn(s, rnd(cols + 1));
    else if (op === 2) s = deleteRow(s, rnd(rows));
    else s = deleteColumn(s, rnd(cols));
    valid(s);
    assert.ok(
      s.rows.every((r) => r.length === s.rows[0].length),
      'rectangular',
    );
  }
});
