import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSheets, type Sheet } from '@ocrflow/core';
import { anchorOf, expandToMerges, joinValues, mergeRange, mergesIn, moveText, splitRange } from '../src/sheet.merge.ts';
import { deleteColumn, deleteRow, insertColumn, insertRow } from '../src/sheet.ops.ts';

// A report-like sheet: a 2-row label (A1:A2), a 3-column group (B1:D1), values below.
const base = (): Sheet => ({
  name: 'T',
  rows: [
    ['项目', '金额', null, null],
    [null, 'a', 'b', 'c'],
    ['模式一', 1, 2, 3],
    ['模式二', 4, null, 6],
    ['Total', 'amount', 12.5, null],
  ],
  merges: [
    { row: 0, col: 0, row_span: 2, col_span: 1 },
    { row: 0, col: 1, row_span: 1, col_span: 3 },
  ],
});

const valid = (s: Sheet) => assert.doesNotThrow(() => validateSheets([s]), 'the server must accept the edited sheet');

test('merging a column of rows joins their texts with line breaks into the top-left slot', () => {
  const { sheet, range } = mergeRange(base(), { row: 2, col: 0, rowEnd: 3, colEnd: 0 });
  assert.deepEqual(range, { row: 2, col: 0, rowEnd: 3, colEnd: 0 });
  assert.equal(sheet.rows[2][0], '模式一\n模式二');
  assert.equal(sheet.rows[3][0], null);
  assert.deepEqual(sheet.merges.at(-1), { row: 2, col: 0, row_span: 2, col_span: 1 });
  valid(sheet);
});

test('merging within a row: a space between Latin words, none between CJK characters; numbers become text only when joined', () => {
  const latin = mergeRange(base(), { row: 4, col: 0, rowEnd: 4, colEnd: 2 }).sheet;
  assert.equal(latin.rows[4][0], 'Total amount 12.5');
  assert.deepEqual(latin.rows[4].slice(1), [null, null, null]);
  valid(latin);
  assert.equal(
    joinValues([
      ['总结与', '分析：'],
      ['A', null, 'B'],
    ]),
    '总结与分析：\nA B',
  );
  assert.equal(joinValues([['模式', 'B']]), '模式 B', 'a space where only one side is CJK');
  assert.equal(
    joinValues([
      [null, 42],
      [null, ''],
    ]),
    42,
    'a single value keeps its type',
  );
  assert.equal(
    joinValues([
      [null, ' '],
      [null, null],
    ]),
    null,
  );
});

test('a selection that touches a merge grows to hold it whole, and swallowed merges are replaced by one', () => {
  // B2:B3 touches nothing merged; A2:B2 touches A1:A2, so it grows to A1:B2, which touches B1:D1 → A1:D2.
  assert.deepEqual(expandToMerges(base(), { row: 1, col: 0, rowEnd: 1, colEnd: 1 }), { row: 0, col: 0, rowEnd: 1, colEnd: 3 });
  const { sheet, range } = mergeRange(base(), { row: 1, col: 1, rowEnd: 1, colEnd: 0 });
  assert.deepEqual(range, { row: 0, col: 0, rowEnd: 1, colEnd: 3 });
  assert.deepEqual(sheet.merges, [{ row: 0, col: 0, row_span: 2, col_span: 4 }]);
  assert.equal(sheet.rows[0][0], '项目金额\na b c');
  valid(sheet);
});

test('merging one cell or exactly one merge changes nothing', () => {
  const b = base();
  assert.equal(mergeRange(b, { row: 2, col: 1, rowEnd: 2, colEnd: 1 }).sheet, b);
  assert.equal(mergeRange(b, { row: 0, col: 2, rowEnd: 0, colEnd: 2 }).sheet, b, 'B1:D1 selected through one of its slots');
});

test('split: every merge the selection touches goes; texts stay in the top-left slots', () => {
  const merged = mergeRange(base(), { row: 2, col: 0, rowEnd: 3, colEnd: 0 }).sheet;
  assert.equal(mergesIn(merged, { row: 3, col: 0, rowEnd: 3, colEnd: 0 }).length, 1);
  const { sheet, range } = splitRange(merged, { row: 3, col: 0, rowEnd: 3, colEnd: 0 });
  assert.deepEqual(range, { row: 2, col: 0, rowEnd: 3, colEnd: 0 });
  assert.deepEqual(sheet.merges, base().merges);
  assert.equal(sheet.rows[2][0], '模式一\n模式二', 'the joined text stays in the top-left slot');
  assert.equal(sheet.rows[3][0], null);
  valid(sheet);
  const both = splitRange(base(), { row: 0, col: 0, rowEnd: 0, colEnd: 1 }).sheet;
  assert.deepEqual(both.merges, []);
  assert.deepEqual(both.rows, base().rows);
  const none = base();
  assert.equal(splitRange(none, { row: 3, col: 3, rowEnd: 4, colEnd: 3 }).sheet, none);
});

test('move text: into an empty cell, onto text (kept, joined), from and to merged cells by their top-left slot', () => {
  const moved = moveText(base(), { row: 3, col: 3 }, { row: 3, col: 2 });
  assert.equal(moved.rows[3][2], 6);
  assert.equal(moved.rows[3][3], null);
  assert.deepEqual(moved.merges, base().merges, 'the structure stays');
  valid(moved);
  const onto = moveText(base(), { row: 4, col: 1 }, { row: 4, col: 0 });
  assert.equal(onto.rows[4][0], 'Total amount');
  assert.equal(onto.rows[4][1], null);
  const intoMerge = moveText(base(), { row: 2, col: 0 }, { row: 1, col: 0 });
  assert.equal(intoMerge.rows[0][0], '项目模式一', 'moved into the merge A1:A2 through its covered slot');
  assert.equal(intoMerge.rows[1][0], null);
  assert.deepEqual(anchorOf(base(), 0, 3), { row: 0, col: 1 });
  const b = base();
  assert.equal(moveText(b, { row: 0, col: 2 }, { row: 0, col: 1 }), b, 'within one merge: nothing to do');
  assert.equal(moveText(b, { row: 3, col: 2 }, { row: 3, col: 1 }), b, 'an empty cell has nothing to move');
});

test('inputs are never changed', () => {
  const b = base();
  const copy = structuredClone(b);
  mergeRange(b, { row: 0, col: 0, rowEnd: 4, colEnd: 3 });
  splitRange(b, { row: 0, col: 0, rowEnd: 4, colEnd: 3 });
  moveText(b, { row: 2, col: 0 }, { row: 4, col: 3 });
  assert.deepEqual(b, copy);
});

test('random merges, splits, moves, inserts and deletes: always valid, and no text is ever lost by merge, split or move', () => {
  let seed = 11;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const letters = (s: Sheet) =>
    s.rows
      .flat()
      .map((v) => (v === null ? '' : String(v)))
      .join('')
      .replace(/\s/g, '')
      .split('')
      .sort()
      .join('');
  let s = base();
  for (let i = 0; i < 400; i++) {
    const rows = s.rows.length;
    const cols = s.rows[0].length;
    const range = { row: rnd(rows), col: rnd(cols), rowEnd: rnd(rows), colEnd: rnd(cols) };
    const op = rnd(7);
    const before = letters(s);
    if (op === 0) s = mergeRange(s, range).sheet;
    else if (op === 1) s = splitRange(s, range).sheet;
    else if (op === 2) s = moveText(s, { row: range.row, col: range.col }, { row: range.rowEnd, col: range.colEnd });
    else if (op === 3) s = insertRow(s, rnd(rows + 1));
    else if (op === 4) s = insertColumn(s, rnd(cols + 1));
    else if (op === 5) s = deleteRow(s, rnd(rows));
    else s = deleteColumn(s, rnd(cols));
    if (op <= 2) assert.equal(letters(s), before, `step ${i} (op ${op}) kept every character`);
    valid(s);
    // Covered slots stay empty, so the XLSX writer (which writes only top-left slots) drops nothing.
    for (const m of s.merges) {
      for (let r = m.row; r < m.row + m.row_span; r++)
        for (let c = m.col; c < m.col + m.col_span; c++)
          if (r !== m.row || c !== m.col) assert.equal(s.rows[r][c], null, `step ${i}: slot ${r},${c} under a merge`);
    }
    // Now and then a person types into a cell (never into a slot a merge covers: the grid hides those).
    if (rnd(5) === 0) {
      const at = anchorOf(s, rnd(s.rows.length), rnd(s.rows[0].length));
      s.rows[at.row][at.col] ??= `w${i}`;
    }
  }
});
