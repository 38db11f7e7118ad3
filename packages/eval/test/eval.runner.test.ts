import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig } from '@ocrflow/engines';
import { runEval, loadDataset, median, textMetrics } from '../src/index.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../engines/test/fixtures');
const dir = mkdtempSync(path.join(tmpdir(), 'ocrflow-eval-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await disposeEngines();
});

test('median of odd and even lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), 0);
});

test('the runner scores a dataset folder and reports the contract keys', async () => {
  copyFileSync(path.join(fixtures, 'receipt-header.jpg'), path.join(dir, 'r1.jpg'));
  writeFileSync(
    path.join(dir, 'r1.gt.txt'),
    'NO.122,124. JALAN DEDAP 13\n81100 JOHOR BAHRU\nTEL : 07-3523888\nGST ID : 000849813504\nSIMPLIFIED TAX INVOICE\n',
  );
  copyFileSync(path.join(fixtures, 'cn-title.jpg'), path.join(dir, 'c1.jpg'));
  writeFileSync(path.join(dir, 'notes.txt'), 'not a sample');
  const samples = loadDataset(dir);
  assert.deepEqual(
    samples.map((s) => [s.name, s.truthText !== undefined]),
    [
      ['c1', false],
      ['r1', true],
    ],
  );
  const progress: string[] = [];
  const r = await runEval(dir, {
    options: engineOptionsFromConfig(loadConfig({ env: {} })),
    analysis: loadConfig({ env: {} }),
    engine: 'paddle',
    metrics: [textMetrics],
    engineOptions: { intraOpNumThreads: 2 },
    onProgress: (p) => progress.push(p.sample.name),
  });
  assert.deepEqual(Object.keys(r), ['documents', 'cer', 'word_f1', 'teds', 'teds_s', 'adj_f1', 'field_f1', 'seconds_per_page', 'peak_rss_mb']);
  assert.equal(r.documents, 2);
  assert.deepEqual(progress, ['c1', 'r1']);
  assert.ok(r.cer !== null && r.cer < 0.15, `cer ${r.cer}`);
  assert.ok(r.word_f1 !== null && r.word_f1 > 0.6, `word_f1 ${r.word_f1}`);
  assert.equal(r.teds, null);
  assert.equal(r.field_f1, null);
  assert.ok(r.seconds_per_page > 0);
  assert.ok(r.peak_rss_mb > 50);
});
