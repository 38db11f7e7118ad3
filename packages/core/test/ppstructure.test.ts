/** The PP-StructureV3 result shape: labels, table HTML in the service's dialect, field names of the real answer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentToPpStructure, ppStructureLabel, type Line, type OcrDocument, type Table } from '@ocrflow/core';

const SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets/cn-report-dev/report-scan.ppstructure.json');

const line = (text: string, y: number): Line => ({ text, bbox: [10, y, 200, y + 20], polygon: [], confidence: 0.9, words: [] });

const table: Table = {
  n_rows: 2,
  n_cols: 3,
  ruled: true,
  cells: [
    { row: 0, col: 0, row_span: 1, col_span: 3, bbox: null, text: '呈报', lines: [], header: true },
    { row: 1, col: 0, row_span: 1, col_span: 1, bbox: null, text: '模式一', lines: [] },
    { row: 1, col: 1, row_span: 1, col_span: 1, bbox: null, text: '4324', lines: [] },
    { row: 1, col: 2, row_span: 1, col_span: 1, bbox: null, text: 'a<b', lines: [] },
  ],
};

function doc(mime: string, pages = 1): OcrDocument {
  return {
    schema: 'ocrflow.document/1',
    meta: { engine: 'paddle', languages: ['ch'], mime, page_count: pages },
    pages: Array.from({ length: pages }, (_, index) => ({
      index,
      width: 912,
      height: 1280,
      rotation: 0 as const,
      source: 'ocr' as const,
      engine: 'paddle',
      flags: [],
      timings_ms: {},
      blocks: [
        {
          id: `p${index}-b0`,
          type: 'title' as const,
          bbox: [10.4, 5.6, 400.2, 30.5] as [number, number, number, number],
          lines: [line('长城汽车', 5)],
          text: '长城汽车',
        },
        {
          id: `p${index}-b1`,
          type: 'text' as const,
          bbox: [10, 40, 300, 90] as [number, number, number, number],
          lines: [line('Service report', 40), line('of the quarter', 60), line('运维', 80), line('服务', 100)],
          text: '',
        },
        { id: `p${index}-b2`, type: 'table' as const, bbox: [40, 100, 2000, 1044] as [number, number, number, number], table },
        {
          id: `p${index}-b3`,
          type: 'footer' as const,
          bbox: [400, 1200, 500, 1220] as [number, number, number, number],
          source_label: 'number',
          lines: [line('1', 1200)],
          text: '1',
        },
        { id: `p${index}-b4`, type: 'figure' as const, bbox: [535, 969, 684, 1021] as [number, number, number, number], lines: [] },
        {
          id: `p${index}-b5`,
          type: 'caption' as const,
          bbox: [535, 1022, 684, 1040] as [number, number, number, number],
          source_label: 'table_title',
          lines: [line('Table 1', 1022)],
          text: 'Table 1',
        },
      ],
    })),
  };
}

test('an image answers like the service: the same keys, page_index null, integer boxes inside the page', () => {
  const sample = JSON.parse(fs.readFileSync(SAMPLE, 'utf8')) as { final: Record<string, unknown>; pages: Record<string, unknown>[] };
  const out = documentToPpStructure(doc('image/jpeg'), {
    jobId: 'J1',
    status: 'finished',
    totalPages: 1,
    donePages: 1,
    elapsedSeconds: 5.1349,
    inputPath: '/data/jobs/J1/source',
  });
  assert.deepEqual(Object.keys(out).sort(), ['final', 'job_id', 'pages']);
  assert.deepEqual(Object.keys(out.final).sort(), Object.keys(sample.final).sort());
  assert.deepEqual(out.final, { job_id: 'J1', status: 'finished', total_pages: 1, done_pages: 1, error_message: '', elapsed_seconds: 5.13 });
  const page = out.pages[0];
  for (const k of ['input_path', 'page_index', 'page_count', 'width', 'height', 'parsing_res_list']) assert.ok(k in sample.pages[0] && k in page, k);
  assert.equal(page.page_index, null);
  assert.equal(page.page_count, null);
  assert.equal(page.input_path, '/data/jobs/J1/source');
  const sampleBlock = (sample.pages[0].parsing_res_list as Record<string, unknown>[])[0];
  assert.deepEqual(Object.keys(page.parsing_res_list[0]).sort(), Object.keys(sampleBlock).sort());
  assert.deepEqual(page.parsing_res_list[0].block_bbox, [10, 6, 400, 31]);
  assert.deepEqual(page.parsing_res_list[2].block_bbox, [40, 100, 912, 1044], 'clamped to the page');
});

test('labels, content and reading order', () => {
  const blocks = documentToPpStructure(doc('image/png'), { jobId: 'J', status: 'finished', totalPages: 1, donePages: 1, elapsedSeconds: 1 }).pages[0]
    .parsing_res_list;
  assert.deepEqual(
    blocks.map((b) => b.block_label),
    ['doc_title', 'text', 'table', 'number', 'image', 'table_title'],
  );
  assert.equal(blocks[1].block_content, 'Service report of the quarter 运维服务');
  assert.equal(blocks[2].block_content, '<table><tr><td colspan="3">呈报</td></tr><tr><td>模式一</td><td>4324</td><td>a&lt;b</td></tr></table>');
  assert.doesNotMatch(blocks[2].block_content, /<th/);
  assert.deepEqual(
    blocks.map((b) => b.block_order),
    [1, 2, null, null, null, 3],
  );
  assert.deepEqual(
    blocks.map((b) => b.block_id),
    [0, 1, 2, 3, 4, 5],
  );
});

test('labels of our own blocks map onto PP-Structure names', () => {
  const b = (type: string, source_label?: string) => ppStructureLabel({ id: 'x', type, bbox: [0, 0, 1, 1], lines: [], text: '', source_label } as never);
  assert.equal(b('heading'), 'paragraph_title');
  assert.equal(b('figure'), 'image');
  assert.equal(b('figure', 'chart'), 'chart');
  assert.equal(b('text', 'doc_title'), 'text', 'a source label that disagrees with the block type is not kept');
  assert.equal(b('formula'), 'formula');
  assert.equal(b('header'), 'header');
});

test('PDF pages carry their index and the page count; a failed job reports its error', () => {
  const out = documentToPpStructure(doc('application/pdf', 2), {
    jobId: 'P',
    status: 'failed',
    errorMessage: 'boom',
    totalPages: 3,
    donePages: 2,
    elapsedSeconds: 2,
  });
  assert.deepEqual(
    out.pages.map((p) => [p.page_index, p.page_count]),
    [
      [0, 2],
      [1, 2],
    ],
  );
  assert.equal(out.final.status, 'failed');
  assert.equal(out.final.error_message, 'boom');
  assert.equal(out.final.done_pages, 2);
});
