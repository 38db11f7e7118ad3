/**
 * Big pages read at the resolution their text needs: a receipt of sroie-dev made into a 600-dpi
 * A4 scan (lanczos3 upscaling, as a scanner driver resamples, JPEG q90) reads as the receipt
 * does, is reported at its stored size, and is decoded at a fraction of it. Multi-page documents
 * read with the look-ahead give the same pages in the same order as without.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as mupdf from 'mupdf';
import { documentToText, loadConfig, type Line, type Page } from '@ocrflow/core';
import { wordCounts, f1 } from '../../../eval/src/index.ts';
import { runDocument, disposeEngines, engineOptionsFromConfig, scalePage } from '../../src/index.ts';
import { workingScale } from '../../src/paddle/detect/text.scale.ts';

const SROIE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/datasets/sroie-dev');
const options = engineOptionsFromConfig(loadConfig({}));
test.after(() => disposeEngines());

const allLines = (p: Page): Line[] => p.blocks.flatMap((b) => (b.type === 'table' ? b.table.cells.flatMap((c) => c.lines) : b.lines));

test('a 600-dpi A4 scan made from a receipt reads as the receipt, at its stored size, decoded reduced', async () => {
  const original = readFileSync(path.join(SROIE, 'sroie-005.jpg'));
  const truth = readFileSync(path.join(SROIE, 'sroie-005.gt.txt'), 'utf8');
  const big = await sharp(original)
    .resize(4961, 7016, { fit: 'contain', background: '#ffffff', kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 90 })
    .toBuffer();
  const small = await runDocument(original, { options });
  const large = await runDocument(big, { options });
  const smallText = documentToText(small),
    largeText = documentToText(large);
  const agree = f1(wordCounts(largeText, smallText));
  assert.ok(agree >= 0.9, `the big page's words agree with the receipt's: F1 ${agree}\n${largeText}\n---\n${smallText}`);
  const fs = f1(wordCounts(smallText, truth)),
    fl = f1(wordCounts(largeText, truth));
  assert.ok(Math.abs(fs - fl) <= 0.03, `word F1 against the truth: receipt ${fs}, big page ${fl}`);

  const p = large.pages[0];
  assert.deepEqual([p.width, p.height], [4961, 7016], 'reported at the stored size');
  assert.ok('plan' in p.timings_ms, 'planned on a small copy');
  // Boxes are in the stored page's pixels: the receipt's lines, scaled as the page was.
  const k = 4961 / 463;
  const [ls, ll] = [allLines(small.pages[0]), allLines(p)];
  const first = ls.find((l) => /TRADING/.test(l.text))!,
    firstBig = ll.find((l) => /TRADING/.test(l.text))!;
  assert.ok(first && firstBig, 'the shop name is read on both');
  const yBig = (firstBig.bbox[1] + firstBig.bbox[3]) / 2,
    ySmall = (first.bbox[1] + first.bbox[3]) / 2;
  // The receipt is centred vertically on the sheet: offset by the white band above it.
  const band = (7016 - 605 * k) / 2;
  assert.ok(Math.abs(yBig - (ySmall * k + band)) < 6 * k, `line centre ${yBig} vs ${ySmall * k + band}`);
  for (const l of ll) assert.ok(l.bbox[2] <= 4961 + 1 && l.bbox[3] <= 7016 + 1, 'inside the page');
});

test('the working scale keeps the small lines just above the recogniser height, never below the detector size', () => {
  const box = (h: number, y: number) =>
    [
      [10, y],
      [210, y],
      [210, y + h],
      [10, y + h],
    ] as [number, number][];
  // Lines 20 px high on a copy at a quarter of a 4000 × 6000 page: 80 px on the page → 48/80.
  const quads = Array.from({ length: 10 }, (_, i) => box(20 + i * 2, i * 40));
  assert.equal(workingScale(quads, 1000, 4000, 6000, 1_500_000), 48 / 80);
  // Text smaller than the recogniser height: the page is kept as it is.
  assert.equal(
    workingScale(
      quads.map((q) => q.map(([x, y]) => [x, y / 4] as [number, number])),
      1000,
      4000,
      6000,
      1_500_000,
    ),
    1,
  );
  // Huge text: not below the detector's input size.
  assert.equal(workingScale(quads, 100, 4000, 6000, 1_500_000), Math.sqrt(1_500_000 / 24_000_000));
  // Too few lines to measure.
  assert.equal(workingScale(quads.slice(0, 2), 1000, 4000, 6000, 1_500_000), 1);
});

test('scaling a page keeps lines shared between a table cell and a block shared', () => {
  const line: Line = {
    text: 'a',
    bbox: [10, 20, 30, 40],
    polygon: [
      [10, 20],
      [30, 20],
      [30, 40],
      [10, 40],
    ],
    confidence: 1,
    words: [{ text: 'a', bbox: [10, 20, 30, 40], confidence: 1 }],
  };
  const page: Page = {
    index: 0,
    width: 100,
    height: 200,
    rotation: 0,
    source: 'ocr',
    engine: 'paddle',
    flags: [],
    timings_ms: {},
    blocks: [
      { id: 'b0', type: 'text', bbox: [10, 20, 30, 40], lines: [line], text: 'a' },
      {
        id: 'b1',
        type: 'table',
        bbox: [0, 0, 50, 50],
        table: { n_rows: 1, n_cols: 1, ruled: true, cells: [{ row: 0, col: 0, row_span: 1, col_span: 1, bbox: [0, 0, 50, 50], text: 'a', lines: [line] }] },
      },
    ],
  };
  const s = scalePage(page, 400, 800);
  assert.deepEqual([s.width, s.height], [400, 800]);
  const b0 = s.blocks[0],
    b1 = s.blocks[1];
  assert.ok(b0.type === 'text' && b1.type === 'table');
  assert.deepEqual(b0.lines[0].bbox, [40, 80, 120, 160]);
  assert.deepEqual(b0.lines[0].words[0].bbox, [40, 80, 120, 160]);
  assert.deepEqual(b0.lines[0].polygon[2], [120, 160]);
  assert.deepEqual(b1.table.cells[0].bbox, [0, 0, 200, 200]);
  assert.equal(b1.table.cells[0].lines[0], b0.lines[0], 'one line object, as before');
  assert.deepEqual(page.blocks[0].bbox, [10, 20, 30, 40], 'the input is left as it was');
});

test('a multi-page PDF read with the look-ahead gives the same pages, in order, as without', async () => {
  const pages = ['sroie-005.jpg', 'sroie-000.jpg', 'sroie-003.jpg'];
  const doc = new mupdf.PDFDocument();
  for (const f of pages) {
    const png = await sharp(readFileSync(path.join(SROIE, f)))
      .png()
      .toBuffer();
    const meta = await sharp(png).metadata();
    const resources = doc.newDictionary();
    const xobj = doc.newDictionary();
    xobj.put('I0', doc.addImage(new mupdf.Image(png)));
    resources.put('XObject', xobj);
    // Each receipt fills a page at 100 dpi of its pixels (points = px × 0.72).
    const w = meta.width! * 0.72,
      h = meta.height! * 0.72;
    doc.insertPage(-1, doc.addPage([0, 0, w, h], 0, resources, `q ${w} 0 0 ${h} 0 0 cm /I0 Do Q`));
  }
  const pdf = Buffer.from(doc.saveToBuffer('compress').asUint8Array());
  const seen: number[] = [];
  const ahead = await runDocument(pdf, { options, prefetch: true, onPage: (p) => seen.push(p.index) });
  const plain = await runDocument(pdf, { options, prefetch: false });
  assert.deepEqual(seen, [0, 1, 2]);
  const strip = (p: Page) => ({ ...p, timings_ms: {} });
  assert.deepEqual(ahead.pages.map(strip), plain.pages.map(strip));
  assert.ok(
    ahead.pages.every((p) => p.blocks.length > 3),
    'every page was read',
  );
});
