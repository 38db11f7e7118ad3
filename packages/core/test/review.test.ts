import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  annotateCellConfidence,
  cellsToCheck,
  documentToSheets,
  validateSheets,
  weakestConfidence,
  type Line,
  type OcrDocument,
  type TableBlock,
} from '@ocrflow/core';

const line = (text: string, words: [string, number][], confidence = 0.9): Line => ({
  text,
  bbox: [0, 0, 10, 10],
  polygon: [],
  confidence,
  words: words.map(([t, c]) => ({ text: t, bbox: [0, 0, 10, 10], confidence: c })),
});

function table(): TableBlock {
  return {
    id: 'p0-b0',
    type: 'table',
    bbox: [0, 0, 100, 100],
    table: {
      n_rows: 2,
      n_cols: 2,
      ruled: true,
      cells: [
        {
          row: 0,
          col: 0,
          row_span: 1,
          col_span: 1,
          bbox: null,
          text: 'Total 12.50',
          lines: [
            line('Total 12.50', [
              ['Total', 0.99],
              ['12.50', 0.62],
            ]),
          ],
        },
        { row: 0, col: 1, row_span: 1, col_span: 1, bbox: null, text: 'ok', lines: [line('ok', [['ok', 0.97]])] },
        { row: 1, col: 0, row_span: 1, col_span: 2, bbox: null, text: '', lines: [] },
      ],
    },
  };
}
const doc = (b: TableBlock): OcrDocument => ({
  schema: 'ocrflow.document/1',
  meta: { engine: 'paddle', languages: ['en'], mime: 'image/png', page_count: 1 },
  pages: [{ index: 0, width: 100, height: 100, rotation: 0, source: 'ocr', engine: 'paddle', blocks: [b], flags: [], timings_ms: {} }],
});

test('a cell is as sure as its weakest word; lines without words count by their own score', () => {
  assert.equal(
    weakestConfidence([
      line('a b', [
        ['a', 0.9],
        ['b', 0.4],
      ]),
    ]),
    0.4,
  );
  assert.equal(weakestConfidence([line('x', [], 0.75)]), 0.75);
  assert.equal(weakestConfidence([]), null);
});

test('cells get a confidence from their words, or null when the engine has no scores', () => {
  const scored = table();
  annotateCellConfidence([scored], true);
  assert.deepEqual(
    scored.table.cells.map((c) => c.confidence),
    [0.62, 0.97, null],
  );
  const unscored = table();
  annotateCellConfidence([unscored], false);
  assert.deepEqual(
    unscored.table.cells.map((c) => c.confidence),
    [null, null, null],
  );
  assert.equal(cellsToCheck(doc(scored), 0.9), 1);
  assert.equal(cellsToCheck(doc(unscored), 0.9), 0, 'no score, no mark');
  assert.equal(cellsToCheck(doc(scored), 0.98), 2);
});

test('sheets carry review marks only when asked; marks are validated', () => {
  const b = table();
  annotateCellConfidence([b], true);
  assert.equal(documentToSheets(doc(b))[0].review, undefined, 'the XLSX path has no marks');
  const [s] = documentToSheets(doc(b), { reviewThreshold: 0.9 });
  assert.deepEqual(s.review, [{ row: 0, col: 0, confidence: 0.62 }]);
  assert.deepEqual(validateSheets([s])[0].review, s.review);
  assert.throws(() => validateSheets([{ ...s, review: [{ row: 5, col: 0, confidence: 0.5 }] }]), /inside the sheet/);
  assert.throws(() => validateSheets([{ ...s, review: [{ row: 0, col: 0, confidence: 2 }] }]), /from 0 to 1/);
});
