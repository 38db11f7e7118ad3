import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignInText, cerCounts, readingOrderCerCounts, truthInReadingOrder } from '../src/index.ts';

test('alignInText finds where a line sits in the page text, with its edits', () => {
  const text = [...'ABCTOTAL12.50XYZ'];
  assert.deepEqual(alignInText([...'TOTAL12.50'], text), { start: 3, end: 13, cost: 0 });
  const r = alignInText([...'T0TAL12.50'], text);
  assert.equal(r.cost, 1, 'one misread letter is one edit');
  assert.equal(r.start, 3);
});

test('a table the annotator listed column by column: plain CER punishes the order, the diagnostic does not', () => {
  // Read row by row (what a reader and ocrflow do) ...
  const pred = 'ITEM QTY PRICE\nPEN 2 1.50\nBOOK 1 12.90\nTOTAL 15.90';
  // ... annotated column by column.
  const truth = 'ITEM\nPEN\nBOOK\nQTY\n2\n1\nPRICE\n1.50\n12.90\nTOTAL 15.90';
  assert.ok(cerCounts(pred, truth).edits > 10, 'the order-sensitive CER counts the column order as errors');
  assert.deepEqual(readingOrderCerCounts(pred, truth), { edits: 0, chars: cerCounts(pred, truth).chars });
  assert.deepEqual(truthInReadingOrder(pred, truth), ['ITEM', 'QTY', 'PRICE', 'PEN', '2', '1.50', 'BOOK', '1', '12.90', 'TOTAL 15.90']);
});

test('misreads and lost lines still count; repeated short lines each take their own place', () => {
  const truth = 'CASH 10.00\n1\n1\nTHANK YOU';
  assert.equal(readingOrderCerCounts('CASH 10.00 1 1 THANK YOU', truth).edits, 0);
  assert.equal(readingOrderCerCounts('CASH 1O.00 1 1 THANK YOU', truth).edits, 1, 'O for 0 is an edit');
  assert.equal(readingOrderCerCounts('CASH 10.00 1 THANK YOU', truth).edits, 1, 'the second "1" is missing: one edit, not matched twice');
  assert.equal(readingOrderCerCounts('CASH 10.00 1 1', truth).edits, 8, 'a lost line costs all its characters');
});
