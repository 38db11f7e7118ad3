import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctcDecode, segmentWords, type DecodedChar } from '../src/paddle/recognise/ctc.decode.ts';
import { fixCjkDash, fixConfusables } from '../src/paddle/recognise/text.fixups.ts';

const charset = ['', 'A', 'B', '0', '.', ' '];

function probs(frames: number[][]): Float32Array {
  return Float32Array.from(frames.flat());
}

test('CTC decoding collapses repeats, drops blanks, keeps frames and the space probability between characters', () => {
  // frames:        A     A     blank(sp .3)  B     blank  B
  const p = probs([
    [0.1, 0.8, 0.0, 0.0, 0.0, 0.1],
    [0.1, 0.9, 0.0, 0.0, 0.0, 0.0],
    [0.6, 0.1, 0.0, 0.0, 0.0, 0.3],
    [0.1, 0.0, 0.7, 0.0, 0.0, 0.2],
    [0.9, 0.0, 0.0, 0.0, 0.0, 0.1],
    [0.2, 0.0, 0.8, 0.0, 0.0, 0.0],
  ]);
  const chars = ctcDecode(p, 0, 6, 6, charset);
  assert.deepEqual(
    chars.map((c) => [c.ch, c.start, c.end]),
    [
      ['A', 0, 1],
      ['B', 3, 3],
      ['B', 5, 5],
    ],
  );
  assert.ok(Math.abs(chars[0].prob - 0.9) < 1e-6);
  assert.ok(Math.abs(chars[1].spaceProb - 0.3) < 1e-6, String(chars[1].spaceProb));
  assert.ok(Math.abs(chars[2].spaceProb - 0.2) < 1e-6);
});

const mk = (s: string, pitch: number, gaps: Record<number, number> = {}, space: Record<number, number> = {}): DecodedChar[] => {
  let x = 0;
  return [...s].map((ch, i) => {
    x += i === 0 ? 0 : pitch + (gaps[i] ?? 0);
    return { ch, start: x, end: x, prob: 0.95, spaceProb: space[i] ?? 0.0005 };
  });
};

test('a wide gap in an evenly spaced line is a space; letters of a word are not split', () => {
  // "JALANDEDAP": monospaced at 4.5 frames, an extra 4 frames before D (a one-character space),
  // where the model's space class rises a little (to 1 %) without winning the frame.
  const chars = mk('JALANDEDAP', 4.5, { 5: 4 }, { 5: 0.01 });
  const blanks = chars.slice(1).map((_, i) => (i === 4 ? 4.2 : 0.8));
  assert.deepEqual(
    segmentWords(chars, undefined, blanks).map((w) => w.text),
    ['JALAN', 'DEDAP'],
  );
  // Same line without the gap: one word.
  assert.deepEqual(
    segmentWords(mk('JALANDEDAP', 4.5), undefined, new Array(9).fill(0.8)).map((w) => w.text),
    ['JALANDEDAP'],
  );
});

test("the model's space probability alone can mark a space; a number's separator never splits it", () => {
  const chars = mk('TAXINVOICE', 4, {}, { 3: 0.4 });
  assert.deepEqual(
    segmentWords(chars, undefined, new Array(9).fill(0.6)).map((w) => w.text),
    ['TAX', 'INVOICE'],
  );
  // "80.91": the dot's narrow glyph leaves wide blanks on both sides.
  const num = mk('80.91', 4, { 3: 3 });
  assert.deepEqual(
    segmentWords(num, undefined, [0.5, 2.5, 3.5, 0.5]).map((w) => w.text),
    ['80.91'],
  );
  // An explicit space class from the model always separates.
  assert.deepEqual(
    segmentWords(mk('A B', 4)).map((w) => w.text),
    ['A', 'B'],
  );
});

test('Chinese characters are not split by ordinary gaps', () => {
  const chars = mk('长城汽车股份', 6, { 3: 3 });
  assert.deepEqual(
    segmentWords(chars, undefined, [1, 1, 3, 1, 1]).map((w) => w.text),
    ['长城汽车股份'],
  );
});

test('digit/letter confusions are fixed only where unambiguous', () => {
  assert.equal(fixConfusables('N0:'), 'NO:');
  assert.equal(fixConfusables('R00T'), 'ROOT');
  assert.equal(fixConfusables('8110O'), '81100');
  assert.equal(fixConfusables('ES1OOO'), 'ES1OOO');
  assert.equal(fixConfusables('M026588'), 'M026588');
  assert.equal(fixConfusables('长城0'), '长城0');
});

test('a lone dash glued to Chinese characters is the ideograph 一; dashes of ranges, pairs and Latin text stay', () => {
  assert.equal(fixCjkDash('第\u2014章'), '第一章');
  assert.equal(fixCjkDash('\u2014是'), '一是');
  assert.equal(fixCjkDash('\u2014、目的'), '一、目的');
  assert.equal(fixCjkDash('统\u2015'), '统一');
  assert.equal(fixCjkDash('说明\u2014\u2014见下表'), '说明\u2014\u2014见下表');
  assert.equal(fixCjkDash('2024\u20142025年'), '2024\u20142025年');
  assert.equal(fixCjkDash('年\u20142025'), '年\u20142025');
  assert.equal(fixCjkDash('A\u2014B'), 'A\u2014B');
  assert.equal(fixCjkDash('\u2014'), '\u2014');
  assert.equal(fixCjkDash('-是'), '-是', 'a hyphen is no stroke of 一');
});

test('look-alike classes (, and ，) compete with their sum: a comma split over both still beats the blank', () => {
  const cs = ['', 'A', ',', '，', ' '];
  // frames: A, then a frame where blank 0.4 beats ',' 0.3 and '，' 0.3 alone but not their sum.
  const p = probs([
    [0.05, 0.9, 0.02, 0.02, 0.01],
    [0.4, 0.0, 0.32, 0.28, 0.0],
    [0.9, 0.0, 0.05, 0.05, 0.0],
  ]);
  const chars = ctcDecode(p, 0, 3, 5, cs);
  assert.deepEqual(
    chars.map((c) => c.ch),
    ['A', ','],
    'the member the model liked best is emitted',
  );
  assert.ok(Math.abs(chars[1].prob - 0.6) < 1e-6, String(chars[1].prob));
  // The same frame with the full-width form ahead: full-width punctuation stays full-width.
  const q = probs([
    [0.05, 0.9, 0.02, 0.02, 0.01],
    [0.4, 0.0, 0.25, 0.35, 0.0],
    [0.4, 0.0, 0.25, 0.35, 0.0],
  ]);
  assert.deepEqual(
    ctcDecode(q, 0, 3, 5, cs).map((c) => c.ch),
    ['A', '，'],
    'two frames of one comma are one character',
  );
});

test('a sure blank frame (above one half) still records the space probability and separates repeats', () => {
  // frames: A, blank 0.6 with space 0.35, A, blank 0.52 with space 0.2, B
  const p = probs([
    [0.05, 0.9, 0.0, 0.0, 0.0, 0.05],
    [0.6, 0.05, 0.0, 0.0, 0.0, 0.35],
    [0.1, 0.85, 0.0, 0.0, 0.0, 0.05],
    [0.52, 0.0, 0.28, 0.0, 0.0, 0.2],
    [0.1, 0.0, 0.9, 0.0, 0.0, 0.0],
  ]);
  const chars = ctcDecode(p, 0, 5, 6, charset);
  assert.deepEqual(
    chars.map((c) => c.ch),
    ['A', 'A', 'B'],
    'a blank between two runs of A keeps both',
  );
  assert.ok(Math.abs(chars[1].spaceProb - 0.35) < 1e-6, `space probability seen in the blank frame: ${chars[1].spaceProb}`);
  assert.ok(Math.abs(chars[2].spaceProb - 0.2) < 1e-6, `space probability of the second gap: ${chars[2].spaceProb}`);
});
