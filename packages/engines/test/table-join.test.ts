/**
 * Tables that continue on the next page, on a real PDF: a long HTML table printed by Chromium
 * (its header row repeated on every page, as browsers print <thead>), read back through the
 * pipeline (the PDF's text layer, table structure from its rulings). Its truth is the HTML.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import {
  documentToHtml,
  documentToMarkdown,
  documentToSheets,
  isTableBlock,
  joinTablesAcrossPages,
  type OcrDocument,
  type Page,
  type TableBlock,
  loadConfig,
} from '@ocrflow/core';
import { engineOptionsFromConfig, runDocument } from '../src/index.ts';

const options = engineOptionsFromConfig(loadConfig());

const N = 70;
const truth = [
  ['Code', 'Name', 'Amount', 'State'],
  ...Array.from({ length: N }, (_, i) => [
    String(1001 + i),
    `Item ${String.fromCharCode(65 + (i % 26))}${i}`,
    (i * 3.17 + 2).toFixed(2),
    i % 2 ? 'open' : 'closed',
  ]),
];
const html = `<html><head><style>table{border-collapse:collapse;width:100%}td,th{border:1px solid #000;padding:4px;font:14px sans-serif}</style></head>
<body><h1>Inventory</h1><table><thead><tr>${truth[0].map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>${truth
  .slice(1)
  .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
  .join('')}</tbody></table><p>End of list.</p></body></html>`;

let browser: Browser;
let pdf: Buffer;
before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking'] });
  const page = await browser.newPage();
  await page.setContent(html);
  pdf = await page.pdf({ format: 'A4' });
});
after(() => browser?.close());

const tables = (doc: OcrDocument) => doc.pages.flatMap((p) => p.blocks.filter(isTableBlock));

test('a table printed over two pages is one sheet, one HTML and one Markdown table, flagged in the JSON', async () => {
  const doc = await runDocument(pdf, { options, engine: 'paddle', mode: 'layout' });
  assert.ok(doc.pages.length >= 2, `the table runs over ${doc.pages.length} page(s)`);
  const parts = tables(doc);
  assert.equal(parts.length, doc.pages.length, 'one table part per page');
  const [head, ...rest] = parts;
  assert.deepEqual(
    head.table.joined?.map((j) => [j.page, j.block, j.header_rows_skipped]),
    rest.map((r, i) => [i + 1, r.id, 1]),
    'where the parts are; each repeats the header',
  );
  for (const r of rest) assert.equal(r.continues, head.id);

  const sheets = documentToSheets(doc);
  assert.equal(sheets.length, 1, 'one sheet');
  assert.deepEqual(
    sheets[0].rows.map((r) => r.map((v) => String(v ?? ''))),
    truth,
    'the HTML table, header once, every row in order',
  );
  assert.equal((documentToHtml(doc).match(/<table>/g) ?? []).length, 1);
  assert.equal(documentToHtml(doc).match(/<t[hd]>Code<\/t[hd]>/g)?.length, 1, 'the repeated header is left out');
  assert.equal(documentToMarkdown(doc).match(/\| Code \|/g)?.length, 1);

  // Turned off: the parts stay separate tables (the page's own structure, as read).
  const off = await runDocument(pdf, { engine: 'paddle', mode: 'layout', options: { ...options, joinTables: false } });
  assert.equal(
    tables(off).some((t) => t.table.joined || t.continues),
    false,
  );
  assert.equal(documentToSheets(off).length, doc.pages.length);
});

/** A page holding one table block with `cols` columns at the given left edges and vertical extent. */
function page(index: number, cols: number[], y0: number, y1: number, extra: Page['blocks'] = []): Page {
  const cells = cols.map((x, c) => ({
    row: 0,
    col: c,
    row_span: 1,
    col_span: 1,
    bbox: [x, y0, x + 50, y0 + 20] as [number, number, number, number],
    text: `r${index}c${c}`,
    lines: [],
  }));
  const t: TableBlock = {
    id: `p${index}-b0`,
    type: 'table',
    bbox: [cols[0], y0, cols.at(-1)! + 50, y1],
    table: { n_rows: 1, n_cols: cols.length, ruled: true, cells },
  };
  return { index, width: 1000, height: 1400, rotation: 0, source: 'ocr', engine: 'paddle', flags: [], timings_ms: {}, blocks: [t, ...extra] };
}
const doc = (...pages: Page[]): OcrDocument => ({
  schema: 'ocrflow.document/1',
  meta: { engine: 'paddle', languages: ['en'], mime: 'application/pdf', page_count: pages.length },
  pages,
});
const text = (y: number) => ({ id: 'p0-b9', type: 'text' as const, bbox: [100, y, 400, y + 30] as [number, number, number, number], lines: [], text: 'Notes' });

test('only a table that ends a page and one that starts the next, with the same columns, are joined', () => {
  const cols = [100, 300, 500];
  assert.ok(joinTablesAcrossPages(doc(page(0, cols, 600, 1350), page(1, cols, 60, 900))).pages[0].blocks.some((b) => isTableBlock(b) && b.table.joined));
  // Other columns, a column moved, text after the first part, or a paragraph before the second: not joined.
  for (const d of [
    doc(page(0, cols, 600, 1350), page(1, [100, 300], 60, 900)),
    doc(page(0, cols, 600, 1350), page(1, [100, 420, 500], 60, 900)),
    doc(page(0, cols, 600, 1000, [text(1100)]), page(1, cols, 60, 900)),
  ])
    assert.equal(
      tables(joinTablesAcrossPages(d)).some((t) => t.continues),
      false,
    );
  // A page number in the bottom margin does not stop it.
  assert.equal(tables(joinTablesAcrossPages(doc(page(0, cols, 600, 1250, [text(1330)]), page(1, cols, 60, 900)))).filter((t) => t.continues).length, 1);
});
