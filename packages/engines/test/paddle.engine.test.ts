import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import sharp from 'sharp';
import { loadConfig, documentToText, isOcrflowError, type EngineName } from '@ocrflow/core';
import { openDocument, processPage, runDocument, getEngine, disposeEngines, engineOptionsFromConfig, engineThreads, useEngine } from '../src/index.ts';
import { PaddleEngine } from '../src/paddle/paddle.engine.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const config = loadConfig({ env: {} });
const options = engineOptionsFromConfig(config);
// One engine for the whole file (model loading is the slow part).
useEngine('paddle', PaddleEngine.create({ intraOpNumThreads: Math.min(2, os.availableParallelism()) }));
after(() => disposeEngines());

async function ocrImage(data: Buffer) {
  const doc = await openDocument(data);
  const page = await processPage(await doc.renderPage(0), { engine: 'paddle', languages: ['ch', 'en'], mode: 'text', options });
  doc.close();
  return page;
}
const pageText = (p: Awaited<ReturnType<typeof ocrImage>>) => p.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');

test('a receipt crop: lines in reading order, spaces between English words, word boxes in order', async () => {
  const page = await ocrImage(fixture('receipt-header.jpg'));
  const text = pageText(page);
  const lines = text.split('\n');
  assert.ok(lines.includes('81100 JOHOR BAHRU'), text);
  assert.ok(lines.includes('SIMPLIFIED TAX INVOICE'), text);
  assert.ok(lines.indexOf('81100 JOHOR BAHRU') < lines.indexOf('SIMPLIFIED TAX INVOICE'));
  assert.equal(page.rotation, 0);
  assert.deepEqual([page.width, page.height], [461, 160]);
  const line = page.blocks.flatMap((b) => ('lines' in b ? b.lines : [])).find((l) => l.text === 'SIMPLIFIED TAX INVOICE')!;
  assert.deepEqual(
    line.words.map((w) => w.text),
    ['SIMPLIFIED', 'TAX', 'INVOICE'],
  );
  const [a, b, c] = line.words.map((w) => w.bbox);
  assert.ok(a[2] <= b[0] + 2 && b[2] <= c[0] + 2, 'words do not overlap and run left to right');
  assert.ok(line.bbox[0] <= a[0] && line.bbox[2] >= c[2] - 2, 'words lie inside the line');
  assert.ok(line.confidence > 0.8 && line.confidence <= 1);
  assert.ok(line.polygon.length === 4);
});

test('a form: key and value on one row stay one line, rows top to bottom', async () => {
  const text = pageText(await ocrImage(fixture('receipt-form.jpg')));
  const first = text.split('\n')[0];
  assert.match(first, /^Doc No CS00031663 Date 25\/12\/2018$/);
});

test('Chinese text is recognised', async () => {
  const text = pageText(await ocrImage(fixture('cn-title.jpg')));
  assert.ok(text.includes('长城汽车股份有限公司徐水魏牌分公司'), text);
  assert.ok(text.includes('25年4月26日'), text);
});

for (const turned of [90, 180, 270] as const) {
  test(`a page turned ${turned}° comes out upright and readable`, async () => {
    const data = await sharp(fixture('receipt-header.jpg')).rotate(turned).png().toBuffer();
    const page = await ocrImage(data);
    assert.equal(page.rotation, (360 - turned) % 360);
    assert.deepEqual([page.width, page.height], [461, 160]);
    const text = pageText(page);
    assert.ok(text.includes('SIMPLIFIED TAX INVOICE'), text);
    assert.ok(text.includes('JOHOR BAHRU'), text);
  });
}

test('EXIF rotation and detected rotation add up in Page.rotation', async () => {
  // Stored upside down AND tagged "rotate 90°": EXIF gives 90, the detector another 180.
  const upsideDown = await sharp(fixture('receipt-header.jpg')).rotate(180).png().toBuffer();
  const stored = await sharp(upsideDown).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  const page = await ocrImage(stored);
  assert.equal(page.rotation, 270);
  assert.ok(pageText(page).includes('SIMPLIFIED TAX INVOICE'));
});

test('runDocument returns the document model; outputs are functions of it', async () => {
  const pages: number[] = [];
  const doc = await runDocument(fixture('receipt-header.jpg'), { options, engine: 'paddle', filename: 'r.jpg', onPage: (p) => pages.push(p.index) });
  assert.equal(doc.schema, 'ocrflow.document/1');
  assert.deepEqual(doc.meta, { engine: 'paddle', languages: ['ch', 'en'], mime: 'image/jpeg', filename: 'r.jpg', page_count: 1 });
  assert.deepEqual(pages, [0]);
  assert.equal(doc.pages[0].source, 'ocr');
  assert.ok(doc.pages[0].timings_ms.detect >= 0 && doc.pages[0].timings_ms.recognise >= 0 && doc.pages[0].timings_ms.decode >= 0);
  assert.ok(documentToText(doc).includes('SIMPLIFIED TAX INVOICE'));
  assert.ok(doc.pages[0].blocks.every((b, i) => b.id === `p0-b${i}`));
});

test('registry: one instance per name per thread, unknown engines refused, threads from config', async () => {
  assert.equal(await getEngine('paddle', options), await getEngine('paddle', options));
  await assert.rejects(
    getEngine('nope' as EngineName, options),
    (e: unknown) => isOcrflowError(e) && (e as { code: string }).code === 'OCRFLOW_ERR_ENGINE_UNAVAILABLE',
  );
  const cores = os.availableParallelism();
  assert.equal(engineThreads(loadConfig({ env: { OCRFLOW_WORKERS: '2' } })), Math.max(1, Math.floor(cores / 2)));
  assert.equal(engineThreads(loadConfig({ env: { OCRFLOW_OCR_THREADS: '3' } })), 3);
  const h = await (await getEngine('paddle', options)).health();
  assert.equal(h.ok, true);
  assert.match(h.detail, /PP-OCRv4/);
});
