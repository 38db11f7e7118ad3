import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FormulaBlock, TableBlock, TextBlock } from '@ocrflow/core';
import { layoutLines } from '../../src/markup/blocks.build.ts';
import { parseGrounded } from '../../src/markup/grounding.parser.ts';
import { blockTypeForLabel } from '../../src/markup/labels.map.ts';
import { markupToBlocks } from '../../src/markup/markup.page.ts';

const DATASETS = fileURLToPath(new URL('../../../../../shared/datasets/', import.meta.url));
const GROUNDED = readFileSync(`${DATASETS}vlm-outputs/deepseek-ocr-grounding-de-math.mmd`, 'utf8');

test('grounded DeepSeek output: labels, normalised boxes, content per block', () => {
  const { preamble, blocks } = parseGrounded(GROUNDED);
  assert.equal(preamble, '');
  assert.equal(blocks.length, 10);
  assert.deepEqual(
    blocks.map((b) => b.label),
    ['sub_title', 'text', 'table', 'text', 'text', 'image', 'text', 'table', 'equation', 'equation'],
  );
  assert.deepEqual(blocks[2].boxes, [[114, 140, 664, 196]]);
  assert.equal(blocks[0].content, '## 3. Regressionsanalyse II');
  assert.equal(blocks[5].content, '', 'the image block has no text');
});

test('boxes on a 999×999 page keep the model numbers; several boxes in one det share the lines', () => {
  const answer =
    '<|ref|>title<|/ref|><|det|>[[100, 50, 900, 90]]<|/det|>\n# Bericht\n\n' +
    '<|ref|>text<|/ref|><|det|>[[50, 100, 480, 400], [520, 100, 950, 200]]<|/det|>\nZeile eins\nZeile zwei\nZeile drei\nZeile vier\n\n' +
    '<|ref|>page_footer<|/ref|><|det|>[[450, 960, 550, 980]]<|/det|>\n- 3 -<｜end▁of▁sentence｜>';
  const p = markupToBlocks(answer, { width: 999, height: 999 });
  assert.ok(p.grounded);
  assert.deepEqual(
    p.blocks.map((b) => [b.type, b.bbox]),
    [
      ['title', [100, 50, 900, 90]],
      ['text', [50, 100, 950, 400]],
      ['footer', [450, 960, 550, 980]],
    ],
  );
  const text = p.blocks[1] as TextBlock;
  // Heights 300 and 100: three lines in the left box, one in the right.
  assert.deepEqual(
    text.lines.map((l) => l.bbox),
    [
      [50, 100, 480, 200],
      [50, 200, 480, 300],
      [50, 300, 480, 400],
      [520, 100, 950, 200],
    ],
  );
  assert.equal((p.blocks[0] as TextBlock).text, 'Bericht');
  assert.equal((p.blocks[2] as TextBlock).text, '- 3 -', 'end-of-sentence token removed');
  assert.deepEqual(p.flags, []);
});

test('labels map onto the closed block types; page numbers by position', () => {
  assert.equal(blockTypeForLabel('sub_title'), 'heading');
  assert.equal(blockTypeForLabel('doc_title'), 'title');
  assert.equal(blockTypeForLabel('table_caption'), 'caption');
  assert.equal(blockTypeForLabel('figure_title'), 'caption');
  assert.equal(blockTypeForLabel('image'), 'figure');
  assert.equal(blockTypeForLabel('formula'), 'formula');
  assert.equal(blockTypeForLabel('Page-Header'), 'header');
  assert.equal(blockTypeForLabel('number', 0.05), 'header');
  assert.equal(blockTypeForLabel('number', 0.97), 'footer');
  assert.equal(blockTypeForLabel('something_new'), 'text');
});

test('plain Markdown: headings, paragraphs, lists, pipe and HTML tables, display and inline LaTeX, code', () => {
  const md = [
    '# Übung 4',
    '',
    '## Aufgabe 1',
    'Berechnen Sie \\(x^2\\) für',
    'alle Werte.',
    '',
    '- erstens',
    '- zweitens',
    '  mit Fortsetzung',
    '',
    '| x | y |',
    '|---|---|',
    '| 1 | 2 |',
    '',
    '$$',
    '\\int_0^1 x\\,dx = \\tfrac12',
    '$$',
    '',
    '\\[ a^2 + b^2 = c^2 \\]',
    '',
    '<table><tr><td colspan="2">Summe</td></tr>',
    '<tr><td>3</td><td>4</td></tr></table>',
    '',
    '```',
    'print(1)',
    '```',
  ].join('\n');
  const p = markupToBlocks(md, { width: 1000, height: 2000 });
  assert.ok(!p.grounded);
  assert.deepEqual(p.flags, ['approximate_boxes']);
  assert.deepEqual(
    p.blocks.map((b) => b.type),
    ['title', 'heading', 'text', 'list', 'table', 'formula', 'formula', 'table', 'code'],
  );
  assert.equal((p.blocks[1] as TextBlock).level, 2);
  assert.equal((p.blocks[2] as TextBlock).text, 'Berechnen Sie \\(x^2\\) für\nalle Werte.');
  assert.deepEqual(
    (p.blocks[3] as TextBlock).lines.map((l) => l.text),
    ['- erstens', '- zweitens', 'mit Fortsetzung'],
  );
  assert.equal((p.blocks[5] as FormulaBlock).latex, '\\int_0^1 x\\,dx = \\tfrac12');
  assert.equal((p.blocks[6] as FormulaBlock).latex, 'a^2 + b^2 = c^2');
  const t = (p.blocks[7] as TableBlock).table;
  assert.deepEqual(t.cells[0], { row: 0, col: 0, row_span: 1, col_span: 2, bbox: null, text: 'Summe', lines: [] });
  // Stacked boxes: full width, top to bottom, covering the page.
  const boxes = p.blocks.map((b) => b.bbox);
  assert.equal(boxes[0][1], 0);
  assert.equal(boxes.at(-1)![3], 2000);
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i][1] >= boxes[i - 1][1] && boxes[i][0] === 0 && boxes[i][2] === 1000);
});

test('a table block with caption text keeps it as the table caption; an unclosed table still parses', () => {
  const p = markupToBlocks('<|ref|>table<|/ref|><|det|>[[0, 0, 999, 500]]<|/det|>\nTabelle 2: Messwerte\n<table><tr><td>1</td><td>2', {
    width: 999,
    height: 999,
  });
  const t = (p.blocks[0] as TableBlock).table;
  assert.equal(t.caption, 'Tabelle 2: Messwerte');
  assert.deepEqual([t.n_rows, t.n_cols], [1, 2]);
});

test('line layout splits a box evenly and words by character offsets', () => {
  const [l] = layoutLines(['ab cd'], [[0, 0, 50, 10]]);
  assert.deepEqual(
    l.words.map((w) => [w.text, w.bbox]),
    [
      ['ab', [0, 0, 20, 10]],
      ['cd', [30, 0, 50, 10]],
    ],
  );
  assert.deepEqual(l.polygon, [
    [0, 0],
    [50, 0],
    [50, 10],
    [0, 10],
  ]);
});
