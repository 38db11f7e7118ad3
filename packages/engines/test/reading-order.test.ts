import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BBox, Line } from '@ocrflow/core';
import { groupRows, orderRows, groupBlocks } from '../src/layout/reading-order.ts';
import { buildBlocks, mergeRow } from '../src/layout/page.layout.ts';

const line = (text: string, bbox: BBox): Line => ({ text, bbox, polygon: [], confidence: 0.9, words: [{ text, bbox, confidence: 0.9 }] });

test('lines overlapping vertically form a row, read left to right, even with a slight tilt', () => {
  const rows = groupRows([line('9.00', [300, 102, 340, 118]), line('TOTAL', [20, 100, 80, 116]), line('CASH', [20, 130, 70, 146])]);
  assert.deepEqual(
    rows.map((r) => r.map((l) => l.text)),
    [['TOTAL', '9.00'], ['CASH']],
  );
});

test('a form whose two halves line up row by row is read across, not as two columns', () => {
  const ls = [
    line('Station: CASHIER', [10, 100, 200, 116]),
    line('C/N No: LCN00211', [300, 100, 480, 116]),
    line('Cashier: ANGELA', [10, 120, 190, 136]),
    line('Cover : 1', [300, 120, 400, 136]),
    line('Bill Date : 20/11/2017', [10, 140, 220, 156]),
    line('Table : 5', [300, 140, 400, 156]),
  ];
  const text = buildBlocks(0, ls, [])
    .map((b) => ('text' in b ? b.text : ''))
    .join('\n');
  assert.equal(text, 'Station: CASHIER C/N No: LCN00211\nCashier: ANGELA Cover : 1\nBill Date : 20/11/2017 Table : 5');
});

test('two columns of prose under a title are read column by column', () => {
  const ls: Line[] = [line('A Title Across', [100, 10, 500, 40])];
  for (let i = 0; i < 8; i++) {
    ls.push(line(`left ${i}`, [10, 60 + i * 20, 280, 74 + i * 20]));
    ls.push(line(`right ${i}`, [320, 62 + i * 20, 590, 76 + i * 20]));
  }
  const order = orderRows(ls).flatMap((r) => r.items.map((l) => l.text));
  assert.deepEqual(order, ['A Title Across', ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `left ${i}`), ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `right ${i}`)]);
  const blocks = groupBlocks(orderRows(ls));
  assert.equal(blocks.length, 3, 'title, left column, right column');
});

test('a narrow price column beside item names stays on the item rows', () => {
  const ls: Line[] = [];
  for (let i = 0; i < 5; i++) {
    ls.push(line(`ITEM ${i}`, [10, 100 + i * 20, 300, 114 + i * 20]));
    ls.push(line(`${i}.00`, [420, 100 + i * 20, 460, 114 + i * 20]));
  }
  const order = orderRows(ls).flatMap((r) => r.items.map((l) => l.text));
  assert.deepEqual(order, ['ITEM 0', '0.00', 'ITEM 1', '1.00', 'ITEM 2', '2.00', 'ITEM 3', '3.00', 'ITEM 4', '4.00']);
});

test('blocks break at a wide vertical gap; merged row lines keep their word boxes', () => {
  const ls = [line('first', [10, 10, 100, 24]), line('second', [10, 28, 110, 42]), line('far below', [10, 120, 120, 134])];
  const blocks = buildBlocks(3, ls, []);
  assert.equal(blocks.length, 2);
  assert.deepEqual(
    blocks.map((b) => b.id),
    ['p3-b0', 'p3-b1'],
  );
  const merged = mergeRow([line('TOTAL', [20, 100, 80, 116]), line('9.00', [300, 102, 340, 118])]);
  assert.equal(merged.text, 'TOTAL 9.00');
  assert.deepEqual(merged.bbox, [20, 100, 340, 118]);
  assert.deepEqual(
    merged.words.map((w) => w.bbox),
    [
      [20, 100, 80, 116],
      [300, 102, 340, 118],
    ],
  );
});
