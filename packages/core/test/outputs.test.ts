import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockToMarkdown, tableToHtml, tableToMarkdown, tableToRows, documentToText, type Block, type OcrDocument, type Table } from '@ocrflow/core';

const merged: Table = {
  n_rows: 2,
  n_cols: 3,
  ruled: true,
  cells: [
    { row: 0, col: 0, row_span: 2, col_span: 1, bbox: null, text: 'A&B', lines: [] },
    { row: 0, col: 1, row_span: 1, col_span: 2, bbox: null, text: 'head', lines: [] },
    { row: 1, col: 1, row_span: 1, col_span: 1, bbox: null, text: '1', lines: [] },
    { row: 1, col: 2, row_span: 1, col_span: 1, bbox: null, text: '<2>', lines: [] },
  ],
};

test('table HTML keeps spans and escapes text', () => {
  assert.equal(tableToHtml(merged), '<table><tr><td rowspan="2">A&amp;B</td><td colspan="2">head</td></tr><tr><td>1</td><td>&lt;2&gt;</td></tr></table>');
});

test('markdown falls back to HTML for spanned tables and uses pipes otherwise', () => {
  assert.match(tableToMarkdown(merged), /^<table>/);
  const plain: Table = {
    n_rows: 2,
    n_cols: 2,
    ruled: false,
    cells: [
      { row: 0, col: 0, row_span: 1, col_span: 1, bbox: null, text: 'x|y', lines: [] },
      { row: 0, col: 1, row_span: 1, col_span: 1, bbox: null, text: 'z', lines: [] },
      { row: 1, col: 0, row_span: 1, col_span: 1, bbox: null, text: '1', lines: [] },
    ],
  };
  assert.equal(tableToMarkdown(plain), '| x\\|y | z |\n| --- | --- |\n| 1 |  |');
});

test('rows put merged text at the top-left slot', () => {
  assert.deepEqual(tableToRows(merged), [
    ['A&B', 'head', ''],
    ['', '1', '<2>'],
  ]);
});

test('document text joins blocks in order, tables tab-separated', () => {
  const doc: OcrDocument = {
    schema: 'ocrflow.document/1',
    meta: { engine: 'x', languages: [], mime: 'image/png', page_count: 1 },
    pages: [
      {
        index: 0,
        width: 10,
        height: 10,
        rotation: 0,
        source: 'ocr',
        engine: 'x',
        flags: [],
        timings_ms: {},
        blocks: [
          { id: 'p0-b0', type: 'title', bbox: [0, 0, 1, 1], lines: [], text: 'Title' },
          { id: 'p0-b1', type: 'table', bbox: [0, 0, 1, 1], table: merged },
        ],
      },
    ],
  };
  assert.equal(documentToText(doc), 'Title\nA&B\thead\t\n\t1\t<2>\n');
});

test('markdown escapes HTML in document text; code stays verbatim inside a fence it cannot close; LaTeX keeps & and a < b', () => {
  const block = (b: Record<string, unknown>) => ({ id: 'b', bbox: [0, 0, 1, 1], lines: [], ...b }) as unknown as Block;
  assert.equal(blockToMarkdown(block({ type: 'title', text: 'A <script>x</script> & B' })), '# A &lt;script&gt;x&lt;/script&gt; &amp; B');
  assert.equal(blockToMarkdown(block({ type: 'paragraph', text: '<img src=x onerror=alert(1)>' })), '&lt;img src=x onerror=alert(1)&gt;');
  assert.equal(blockToMarkdown(block({ type: 'code', text: 'a ``` <b>' })), '````\na ``` <b>\n````');
  assert.equal(blockToMarkdown(block({ type: 'formula', latex: 'a < b & c <script>' })), '$$\na < b & c &lt;script>\n$$');
  const plain: Table = { n_rows: 1, n_cols: 1, ruled: false, cells: [{ row: 0, col: 0, row_span: 1, col_span: 1, bbox: null, text: '<b>|x', lines: [] }] };
  assert.equal(tableToMarkdown(plain), '| &lt;b&gt;\\|x |\n| --- |');
});
