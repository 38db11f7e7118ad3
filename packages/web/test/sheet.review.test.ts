import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSheets, type Sheet } from '@ocrflow/core';
import { deleteColumn, deleteRow, insertColumn, insertRow, normaliseSheet, setCell } from '../src/sheet.ops.ts';
import { moveText } from '../src/sheet.merge.ts';
import { dropMark, markCount, nextMark } from '../src/sheet.review.ts';

const base = (): Sheet => ({
  name: 'T',
  rows: [
    ['a', 'b', 'c'],
    ['d', 'e', 'f'],
    ['g', 'h', 'i'],
  ],
  merges: [],
  review: [
    { row: 0, col: 1, confidence: 0.5 },
    { row: 1, col: 2, confidence: 0.7 },
    { row: 2, col: 0, confidence: 0.8 },
  ],
});
const marks = (s: Sheet) => (s.review ?? []).map((m) => `${m.row},${m.col}`);

test('editing a marked cell removes its mark; editing to the same value does not', () => {
  assert.deepEqual(marks(setCell(base(), 0, 1, 'B')), ['1,2', '2,0']);
  assert.deepEqual(marks(setCell(base(), 0, 1, 'b')), ['0,1', '1,2', '2,0']);
  assert.deepEqual(marks(setCell(base(), 0, 0, 'A')), ['0,1', '1,2', '2,0'], 'an unmarked cell leaves the marks alone');
});

test('confirming drops exactly one mark; the last one leaves no review list', () => {
  let s = dropMark(base(), 1, 2);
  assert.deepEqual(marks(s), ['0,1', '2,0']);
  s = dropMark(dropMark(s, 0, 1), 2, 0);
  assert.equal(s.review, undefined);
  assert.equal(dropMark(s, 0, 0), s);
});

test('marks move with their cells on inserts and deletes, and go with a deleted cell', () => {
  assert.deepEqual(marks(insertRow(base(), 1)), ['0,1', '2,2', '3,0']);
  assert.deepEqual(marks(insertColumn(base(), 0)), ['0,2', '1,3', '2,1']);
  assert.deepEqual(marks(deleteRow(base(), 1)), ['0,1', '1,0']);
  assert.deepEqual(marks(deleteColumn(base(), 1)), ['1,1', '2,0']);
  // What the workbench sends back is what the server accepts.
  assert.equal(validateSheets([deleteColumn(base(), 1)])[0].review?.length, 2);
});

test('moving text checks both cells; normalising keeps the marks', () => {
  assert.deepEqual(marks(moveText(base(), { row: 0, col: 1 }, { row: 1, col: 2 })), ['2,0']);
  assert.deepEqual(marks(normaliseSheet(base())), ['0,1', '1,2', '2,0']);
});

test('next cell to check: reading order after the selection, wrapping round', () => {
  const s = base();
  assert.deepEqual(nextMark(s, null), { row: 0, col: 1, confidence: 0.5 });
  assert.deepEqual(nextMark(s, { row: 0, col: 1 })?.row, 1);
  assert.deepEqual(nextMark(s, { row: 1, col: 2 }), { row: 2, col: 0, confidence: 0.8 });
  assert.deepEqual(nextMark(s, { row: 2, col: 2 }), { row: 0, col: 1, confidence: 0.5 });
  assert.equal(nextMark({ ...s, review: undefined }, null), null);
  assert.equal(markCount([s, s]), 6);
});
