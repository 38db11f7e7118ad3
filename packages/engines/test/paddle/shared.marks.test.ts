/**
 * A mark read by two neighbouring lines of a row (src/paddle/recognise/shared.marks.ts) stays with
 * the first; marks that are really printed twice, or lines apart, are left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Line } from '@ocrflow/core';
import { dropSharedMarks } from '../../src/paddle/recognise/shared.marks.ts';

const at = (text: string, x0: number, x1: number, y = 0): Line => ({
  text,
  bbox: [x0, y, x1, y + 30],
  polygon: [
    [x0, y],
    [x1, y],
    [x1, y + 30],
    [x0, y + 30],
  ],
  confidence: 0.99,
  words: [{ text, bbox: [x0, y, x1, y + 30], confidence: 0.99 }],
});

test('a comma read at the end of one line and the start of the next, where they overlap, stays with the first', () => {
  const out = dropSharedMarks([at('依据合同，', 657, 768), at('，付款明细如下：', 759, 941)]);
  assert.deepEqual(
    out.map((l) => l.text),
    ['依据合同，', '付款明细如下：'],
  );
  assert.equal(out[1].words[0].text, '付款明细如下：');
});

test('lines that do not overlap, other rows, different marks and lone marks are left alone', () => {
  const apart = [at('依据合同，', 657, 740), at('，付款', 760, 941)];
  assert.deepEqual(
    dropSharedMarks(apart).map((l) => l.text),
    ['依据合同，', '，付款'],
  );
  const rows = [at('依据合同，', 657, 768), at('，付款', 759, 941, 100)];
  assert.deepEqual(
    dropSharedMarks(rows).map((l) => l.text),
    ['依据合同，', '，付款'],
  );
  const other = [at('合同：', 657, 768), at('，付款', 759, 941), at('（远程）', 900, 1000, 200), at('（北京', 990, 1100, 200)];
  assert.deepEqual(
    dropSharedMarks(other).map((l) => l.text),
    ['合同：', '，付款', '（远程）', '（北京'],
  );
  const lone = [at('合同，', 657, 768), at('，', 759, 775)];
  assert.deepEqual(
    dropSharedMarks(lone).map((l) => l.text),
    ['合同，', '，'],
  );
});
