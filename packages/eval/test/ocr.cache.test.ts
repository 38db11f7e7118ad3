/**
 * The OCR cache of the analysis bench: a real receipt is read once by the real
 * engine, the second read comes from the cache and is the same document; the fingerprint depends
 * on the engine and mode.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig } from '@ocrflow/engines';
import { OcrCache, engineFingerprint } from '../src/ocr.cache.ts';

const SROIE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/datasets/sroie-dev');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-cache-test-'));
after(async () => {
  await disposeEngines();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('OCR cache: the first read runs OCR and stores it, the second is the same document from the cache', async () => {
  const cache = new OcrCache({ dir, options: engineOptionsFromConfig(loadConfig({ env: {} })), engine: 'paddle' });
  const img = path.join(SROIE, 'sroie-003.jpg');
  assert.equal(cache.has(img), false);
  const first = await cache.read(img);
  assert.equal(first.hit, false);
  assert.ok(first.doc.pages[0].blocks.length > 0);
  assert.equal(cache.has(img), true);
  const entries = fs.readdirSync(cache.dir);
  assert.equal(entries.length, 1);
  assert.match(entries[0], /^[0-9a-f]{32}\.json$/);
  const second = await cache.read(img);
  assert.equal(second.hit, true);
  assert.deepEqual(second.doc, JSON.parse(JSON.stringify(first.doc)));
  // Another engine or mode reads into another folder.
  assert.notEqual(engineFingerprint('paddle', 'layout'), engineFingerprint('tesseract', 'layout'));
  assert.notEqual(engineFingerprint('paddle', 'layout'), engineFingerprint('paddle', 'text'));
  assert.equal(engineFingerprint('paddle', 'layout'), cache.fingerprint);
});
