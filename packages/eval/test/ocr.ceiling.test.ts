/** The OCR ceiling of a field: printed exactly, printed with other spaces or punctuation, or not printed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ceilingLevel, documentLines } from '../src/ocr.ceiling.ts';
import type { OcrDocument } from '@ocrflow/core';

const lines = ['NORTHWIND TRADING SDN BHD', 'NO 12, JALAN MERAH 3,', 'TAMAN CONTOH,53200,KUALA LUMPUR', 'TOTAL RM19.00', 'CASH 20.00'];

test('exact: whole words over line ends, case and white space ignored', () => {
  assert.equal(ceilingLevel(lines, 'Northwind  Trading SDN BHD'), 'exact');
  assert.equal(ceilingLevel(lines, 'NO 12, JALAN MERAH 3, TAMAN CONTOH,53200,KUALA LUMPUR'), 'exact');
  // A currency prefix glued to the amount is not part of the number; a longer number is another number.
  assert.equal(ceilingLevel(lines, '19.00'), 'exact');
  assert.equal(ceilingLevel(lines, '9.00'), 'absent');
  assert.equal(ceilingLevel(lines, 'TRADING SDN'), 'exact');
  assert.equal(ceilingLevel(lines, 'RADING SDN'), 'absent');
});

test('loose: the same letters and digits with other spaces or punctuation', () => {
  assert.equal(ceilingLevel(lines, 'TAMAN CONTOH, 53200, KUALA LUMPUR'), 'loose');
  assert.equal(ceilingLevel(lines, 'NO 12 JALAN MERAH 3'), 'loose');
  assert.equal(ceilingLevel(lines, 'TAMAN CONT0H'), 'absent');
  assert.equal(ceilingLevel(lines, ''), 'absent');
});

test('document lines in reading order', () => {
  const doc = { pages: [{ blocks: [{ lines: [{ text: 'A' }, { text: 'B' }] }, { lines: [{ text: 'C' }] }] }] } as unknown as OcrDocument;
  assert.deepEqual(documentLines(doc), ['A', 'B', 'C']);
});
