/**
 * Ink beside a cell's text that no line covers (src/tables/cells.residue.ts): a section number the
 * detector missed before a heading is found; ink under the line, the cell's own rules and specks
 * are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Line, Point } from '@ocrflow/core';
import { uncoveredInk } from '../../src/tables/cells.residue.ts';

const W = 400,
  H = 120;
function mask(rects: [number, number, number, number][]): Uint8Array {
  const m = new Uint8Array(W * H);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = 1;
  return m;
}
const line = (x0: number, y0: number, x1: number, y1: number, text = '合同内容'): Line => ({
  text,
  bbox: [x0, y0, x1, y1],
  polygon: [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ],
  confidence: 0.99,
  words: [],
});
// A cell from x 10 to 390, y 20 to 60, ruled 2 px thick; text 20 px high.
const quad: Point[] = [
  [10, 20],
  [390, 20],
  [390, 60],
  [10, 60],
];
const rules: [number, number, number, number][] = [
  [9, 19, 391, 21],
  [9, 59, 391, 61],
  [9, 19, 11, 61],
  [389, 19, 391, 61],
];
const o = { scale: 1, textHeight: 20, margin: 5, halfRule: 1 };
// Glyph strokes of the detected heading, 100–200.
const heading: [number, number, number, number][] = [
  [100, 30, 104, 50],
  [120, 30, 124, 50],
  [140, 30, 144, 50],
  [160, 30, 180, 34],
  [190, 30, 194, 50],
];

test('a mark before the line on its row, that no line covers, is a box to read, as tall as the text', () => {
  const m = mask([...rules, ...heading, [16, 31, 26, 49], [28, 45, 31, 49]]);
  const boxes = uncoveredInk(m, W, H, quad, [line(98, 29, 198, 51)], o);
  assert.equal(boxes.length, 1);
  const [x0, y0, x1, y1] = boxes[0];
  assert.ok(x0 >= 12 && x0 <= 16, `left ${x0}: padded, but not onto the rule`);
  assert.ok(x1 >= 31 && x1 < 98, `right ${x1}`);
  assert.ok(y0 <= 29 && y1 >= 51 && y0 > 20 && y1 < 60, `rows ${y0}–${y1}`);
});

test('nothing beside the line: the cell rules, specks and ink close to the line are no box', () => {
  // A speck, a rule's edge left inside the cell (bowed rule), and a stroke just past the line's box.
  const m = mask([...rules, ...heading, [60, 40, 62, 42], [12, 22, 14, 58], [199, 32, 203, 48]]);
  assert.deepEqual(uncoveredInk(m, W, H, quad, [line(98, 29, 198, 51)], o), []);
  assert.deepEqual(uncoveredInk(m, W, H, quad, [], o), [], 'a cell without text is read elsewhere');
});

test('a mark after the last line of the row is found too; other rows of the cell do not count', () => {
  const q: Point[] = [
    [10, 20],
    [390, 20],
    [390, 100],
    [10, 100],
  ];
  const r: [number, number, number, number][] = [
    [9, 19, 391, 21],
    [9, 99, 391, 101],
    [9, 19, 11, 101],
    [389, 19, 391, 101],
  ];
  // Row 1: heading 100–198 and a unit at 300–320; row 2 (y 66–86): a line 20–380 with no gap.
  const m = mask([...r, ...heading, [300, 31, 320, 49], [22, 68, 378, 84]]);
  const boxes = uncoveredInk(m, W, H, q, [line(98, 29, 198, 51), line(20, 66, 380, 86, 'x')], o);
  assert.equal(boxes.length, 1);
  assert.ok(boxes[0][0] < 300 && boxes[0][2] > 320 && boxes[0][3] < 66, JSON.stringify(boxes[0]));
});
