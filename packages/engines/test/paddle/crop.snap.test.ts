/**
 * Crops that reach the line's ink (src/paddle/recognise/crop.snap.ts): a mark cut off by the
 * detector's box is taken back in, a neighbour beyond a word gap is not, specks are ignored, and
 * the margin never reaches into another box of the same row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Point } from '@ocrflow/core';
import { rowRoom, sliceColumns, snapColumns, snapCrop, type CropPixels } from '../../src/paddle/recognise/crop.snap.ts';

const H = 48;
/** A white RGB crop with black rectangles [x0, x1) × [y0, y1). */
function crop(width: number, marks: [number, number, number, number][]): CropPixels {
  const data = Buffer.alloc(width * H * 3, 255);
  for (const [x0, x1, y0, y1] of marks) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { data, width, height: H };
}
/** Glyph-like strokes every 12 px between a and b. */
const word = (a: number, b: number): [number, number, number, number][] => {
  const out: [number, number, number, number][] = [];
  for (let x = a; x + 4 <= b; x += 12) out.push([x, x + 4, 10, 38]);
  return out;
};

test('a comma just past the box is taken in, with a small margin after it', () => {
  // Box = columns [30, 230); 30 columns of reach each side. The comma sits at 236–241 (low on the line).
  const c = crop(260, [...word(40, 226), [236, 241, 30, 42]]);
  const [x0, x1] = snapColumns(c, 30, 30);
  assert.ok(x1 > 241 && x1 <= 260, `right edge ${x1}`);
  assert.equal(x0, 30, 'nothing left of the box: the crop starts at the box, never inside it');
});

test('a faint comma past the box (fading print) is taken in; faint paper texture far away is not', () => {
  // Box = columns [30, 230): black strokes on white (the box's threshold sits at its ink); the
  // comma at 236–241 is grey (100), darker than halfway to the paper.
  const c = crop(260, word(40, 226));
  for (let y = 30; y < 42; y++) for (let x = 236; x < 241; x++) c.data.fill(100, (y * 260 + x) * 3, (y * 260 + x) * 3 + 3);
  const [, x1] = snapColumns(c, 30, 30);
  assert.ok(x1 > 241, `right edge ${x1}`);
  // Lighter than halfway between the box's threshold and its paper: not a mark.
  const d = crop(260, word(40, 226));
  for (let y = 30; y < 42; y++) for (let x = 236; x < 241; x++) d.data.fill(200, (y * 260 + x) * 3, (y * 260 + x) * 3 + 3);
  const [, y1] = snapColumns(d, 30, 30);
  assert.ok(y1 < 236, `right edge ${y1}`);
});

test('ink beyond a word gap is another word (not part of this line); a blank margin stays out', () => {
  // A glyph 30 px (0.6 line heights) past the box: the gap (0.45 × 48 ≈ 22 px) ends the line first.
  const c = crop(300, [...word(40, 226), [262, 268, 10, 38]]);
  const [x0, x1] = snapColumns(c, 30, 70);
  // The last stroke ends at 224: the crop ends a margin (0.15 line heights) after it, before 262.
  assert.ok(x1 >= 230 && x1 < 240, `right edge ${x1}`);
  assert.equal(x0, 30);
});

test('a speck of dirt past the box is not a glyph', () => {
  const c = crop(260, [...word(40, 226), [236, 238, 20, 23]]);
  const [, x1] = snapColumns(c, 30, 30);
  assert.ok(x1 >= 230 && x1 < 236, `right edge ${x1}`);
});

test('white ink on a dark band (inverted) is followed too', () => {
  const c = crop(260, [[0, 260, 0, H]]);
  for (let y = 10; y < 38; y++)
    for (const [a, b] of [...word(40, 226).map(([a, b]) => [a, b]), [236, 241]])
      for (let x = a; x < b; x++) c.data.fill(255, (y * 260 + x) * 3, (y * 260 + x) * 3 + 3);
  const [, x1] = snapColumns(c, 30, 30);
  assert.ok(x1 > 241, `right edge ${x1}`);
});

test('sliceColumns keeps exactly the columns asked for', () => {
  const c = crop(10, [[3, 4, 0, H]]);
  const s = sliceColumns(c, 2, 6);
  assert.equal(s.length, 4 * H * 3);
  for (let y = 0; y < H; y++) {
    assert.equal(s[(y * 4 + 1) * 3], 0, 'column 3 of the crop is column 1 of the slice');
    assert.equal(s[(y * 4 + 0) * 3], 255);
  }
  assert.equal(sliceColumns(c, 0, 10), c.data, 'the whole crop is not copied');
});

test('rowRoom: the room to the next box of the same row, in line heights; other rows do not count', () => {
  const box = (x0: number, y0: number, x1: number, y1: number): Point[] => [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
  const room = rowRoom([
    box(100, 100, 300, 120), // line height 20
    box(340, 102, 400, 121), // same row, 40 px (2 heights) to the right
    box(0, 99, 80, 119), // same row, 20 px (1 height) to the left
    box(310, 200, 500, 220), // another row
  ]);
  assert.ok(Math.abs(room[0].right - 2) < 0.01, String(room[0].right));
  assert.ok(Math.abs(room[0].left - 1) < 0.01, String(room[0].left));
  assert.equal(room[3].left, Infinity);
  assert.equal(room[3].right, Infinity);
});

test("a table's rule beside the box is not the line's ink, and is painted over where the margin covers it", () => {
  // Box = columns [30, 230); a rule crosses the whole crop (every row) at 20–22, 8 px left of the
  // box, within a word gap: it does not carry the crop out; a comma right of the box still does.
  const c = crop(260, [...word(40, 226), [20, 23, 0, H], [236, 241, 30, 42]]);
  const [x0, x1] = snapColumns(c, 30, 30);
  assert.equal(x0, 30, `left edge ${x0}: the rule stays out`);
  assert.ok(x1 > 241, `right edge ${x1}`);
  // A glyph just left of the box, the rule right beside it: the glyph is taken in with its margin,
  // and the rule's columns in that margin are paper.
  const d = crop(260, [...word(40, 226), [20, 26, 12, 36], [13, 15, 0, H]]);
  const s = snapCrop(d, 30, 30);
  assert.ok(s.x0 < 20 && s.x0 <= 14, `left edge ${s.x0}`);
  const w = s.x1 - s.x0;
  for (let x = s.x0; x < 16; x++) for (let y = 0; y < H; y++) assert.equal(s.data[(y * w + x - s.x0) * 3], 255, `column ${x} row ${y}`);
  assert.equal(s.data[(20 * w + 22 - s.x0) * 3], 0, 'the glyph itself stays');
  assert.equal(d.data[(20 * 260 + 14) * 3], 0, 'the probe crop is not changed');
  // A mark as tall as the text but not through the pad rows is a glyph ("|", "1", "["): kept.
  const e = crop(260, [...word(40, 226), [20, 23, 6, 42]]);
  const t = snapCrop(e, 30, 30);
  assert.ok(t.x0 < 20, `left edge ${t.x0}`);
  assert.equal(t.data[(20 * (t.x1 - t.x0) + 21 - t.x0) * 3], 0);
});
