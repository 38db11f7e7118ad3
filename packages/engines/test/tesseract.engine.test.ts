import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '@ocrflow/core';
import { openDocument, processPage, disposeEngines, engineOptionsFromConfig } from '../src/index.ts';
import { tesseractCode, languageDir, prepareLanguages } from '../src/tesseract/tesseract.languages.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
after(() => disposeEngines());

test('language names map to tesseract codes; data comes from installed packages only', () => {
  assert.equal(tesseractCode('en'), 'eng');
  assert.equal(tesseractCode('ch'), 'chi_sim');
  assert.ok(languageDir('eng'), '@tesseract.js-data/eng is installed');
  assert.equal(languageDir('xx_not_a_language'), null);
  const p = prepareLanguages(['en', 'xx_not_a_language']);
  assert.deepEqual(p.codes, ['eng']);
  assert.deepEqual(p.missing, ['xx_not_a_language']);
});

test('the tesseract engine reads a receipt crop, selected per call', async () => {
  const options = engineOptionsFromConfig(loadConfig({ env: {} }));
  const doc = await openDocument(fixture('receipt-header.jpg'));
  const page = await processPage(await doc.renderPage(0), { engine: 'tesseract', languages: ['en'], mode: 'text', options, autoRotate: false });
  doc.close();
  assert.equal(page.engine, 'tesseract');
  const text = page.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
  assert.match(text, /JOHOR BAHRU/);
  assert.match(text, /TAX INVOICE/);
  const words = page.blocks.flatMap((b) => ('lines' in b ? b.lines : [])).flatMap((l) => l.words);
  assert.ok(words.length >= 8);
  assert.ok(words.every((w) => w.confidence >= 0 && w.confidence <= 1 && w.bbox[2] > w.bbox[0]));
});
