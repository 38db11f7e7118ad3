/**
 * The remote engines through the real page pipeline (`processPage` + the engine registry): vlm and
 * ppstructure against loopback stand-ins, and the fallback of a looping vlm page to the real
 * paddle engine.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadConfig, type TableBlock } from '@ocrflow/core';
import { processPage, disposeEngines, engineOptionsFromConfig, type SourcePage } from '../../src/index.ts';
import { sendJson, startStandIn, type StandIn } from './standin.http.ts';

const DATASETS = fileURLToPath(new URL('../../../../../shared/datasets/', import.meta.url));
const GROUNDED = readFileSync(`${DATASETS}vlm-outputs/deepseek-ocr-grounding-de-math.mmd`, 'utf8');
const PP_RESULT = JSON.parse(readFileSync(`${DATASETS}cn-report-dev/report-scan.ppstructure.json`, 'utf8')) as { job_id: string };

let page: SourcePage;
let vlm: StandIn;
let pp: StandIn;
let vlmAnswer: { content: string; finish: string } = { content: GROUNDED, finish: 'stop' };

before(async () => {
  const { data, info } = await sharp(`${DATASETS}cn-report-dev/report-scan.jpg`).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  page = { index: 2, image: { data, width: info.width, height: info.height, channels: 3 }, exifRotation: 0, flags: [] };
  vlm = await startStandIn((r, res) => {
    if (r.path === '/v1/chat/completions')
      return sendJson(res, 200, { choices: [{ message: { role: 'assistant', content: vlmAnswer.content }, finish_reason: vlmAnswer.finish }] });
    sendJson(res, 404, {});
  });
  let seq = 0;
  pp = await startStandIn((r, res) => {
    if (r.path === '/jobs-from-uploading') return sendJson(res, 201, { job_id: PP_RESULT.job_id });
    if (r.path.startsWith('/longpoll/')) return sendJson(res, 200, { events: [{ seq: ++seq, type: 'finished' }], last_seq: seq, done: true });
    if (r.path.startsWith('/result/json/')) return sendJson(res, 200, PP_RESULT);
    sendJson(res, 404, {});
  });
});

after(async () => {
  await disposeEngines();
  await Promise.all([vlm.close(), pp.close()]);
});

const options = () =>
  engineOptionsFromConfig(
    loadConfig({
      env: {},
      overrides: {
        vlmBaseUrl: `${vlm.origin}/v1`,
        vlmModel: 'deepseek-ai/DeepSeek-OCR',
        vlmMaxRetries: 0,
        ppstructureUrl: pp.origin,
        ocrThreads: 1,
        workers: 1,
      },
    }),
  );

test('vlm through processPage: the engine blocks become the page, ids renumbered for the page', async () => {
  vlmAnswer = { content: GROUNDED, finish: 'stop' };
  const p = await processPage(page, { engine: 'vlm', languages: ['de'], mode: 'layout', options: options() });
  assert.equal(p.source, 'vlm');
  assert.equal(p.engine, 'vlm');
  assert.equal(p.blocks.length, 10);
  assert.deepEqual(
    p.blocks.slice(0, 3).map((b) => b.id),
    ['p2-b0', 'p2-b1', 'p2-b2'],
  );
  // Boxes on this 912×1280 page: [[114, 81, 360, 99]] → x·912/999, y·1280/999.
  assert.deepEqual(p.blocks[0].bbox, [104, 104, 329, 127]);
  assert.ok(!p.flags.includes('vlm_fallback'));
});

test('a vlm answer that loops until max_tokens is re-read by paddle and flagged', async () => {
  vlmAnswer = { content: '<table><tr><td>呈报</td></tr>' + '<tr><td>模式一</td><td>4324</td></tr>'.repeat(300), finish: 'length' };
  const p = await processPage(page, { engine: 'vlm', languages: ['ch'], mode: 'text', options: options() });
  for (const f of ['vlm_repetition', 'vlm_truncated', 'vlm_fallback']) assert.ok(p.flags.includes(f), `${f} in ${p.flags}`);
  assert.equal(p.engine, 'paddle');
  assert.equal(p.source, 'ocr');
  // Paddle read the real scan: its lines hold the report's numbers, not the looped row.
  const text = p.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
  assert.match(text, /4324/);
  assert.match(text, /1457/);
});

test('ppstructure through processPage: a remote page with the report table', async () => {
  const p = await processPage(page, { engine: 'ppstructure', languages: ['ch'], mode: 'layout', options: options() });
  assert.equal(p.source, 'remote');
  assert.equal(p.engine, 'ppstructure');
  const t = (p.blocks[0] as TableBlock).table;
  assert.deepEqual([t.n_rows, t.n_cols], [34, 12]);
  assert.deepEqual(p.blocks[0].bbox, [40, 42, 877, 1044]);
});
