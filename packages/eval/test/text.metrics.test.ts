import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, type OcrDocument } from '@ocrflow/core';
import { editDistance, cerCounts, wordCounts, f1, textMetrics, normalizeForCer, tokens } from '../src/metrics/text.metrics.ts';

const close = (a: number | null | undefined, b: number) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-9, `${a} != ${b}`);
const doc = {} as OcrDocument;

test('edit distance (code points, including CJK)', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('长城汽车', '长城气车'), 1);
  assert.equal(editDistance('same', 'same'), 0);
});

test('CER normalisation: NFKC, upper case, no white space', () => {
  assert.equal(normalizeForCer(' Ｔotal:\t9.00 \n'), 'TOTAL:9.00');
  assert.deepEqual(cerCounts('Hello  World', 'HELLO WORLD!'), { edits: 1, chars: 11 });
  assert.deepEqual(tokens('ａ b\nC  '), ['A', 'B', 'C']);
});

test('word F1 counts multisets, ignores order', () => {
  const c = wordCounts('B A B C', 'A B C C D');
  assert.deepEqual(c, { matched: 3, predicted: 4, truth: 5 });
  close(f1(c), 6 / 9);
  close(f1({ matched: 0, predicted: 0, truth: 0 }), 1);
});

test('set values are sums over documents, not means of per-document values', () => {
  const acc = textMetrics.create({ analysis: loadConfig({ env: {} }) });
  acc.add({ sample: { name: 'a', imagePath: 'a.jpg', truthText: 'HELLO WORLD!' }, doc, text: 'Hello  World' });
  acc.add({ sample: { name: 'b', imagePath: 'b.jpg', truthText: 'abcd x' }, doc, text: 'ab x' });
  acc.add({ sample: { name: 'c', imagePath: 'c.jpg' }, doc, text: 'no ground truth: ignored' });
  const r = acc.result();
  // (1 + 2) / (11 + 5) edits over characters.
  close(r.cer, 3 / 16);
  // matched: HELLO WORLD (0: "Hello" vs "HELLO" matches after upper-casing; "World" vs "WORLD!" does not) ...
  // doc a: pred [HELLO, WORLD], truth [HELLO, WORLD!] -> 1 match; doc b: pred [AB, X], truth [ABCD, X] -> 1 match.
  close(r.word_f1, (2 * 2) / (4 + 4));
  assert.deepEqual(textMetrics.create({ analysis: loadConfig({ env: {} }) }).result(), { cer: null, word_f1: null });
});
