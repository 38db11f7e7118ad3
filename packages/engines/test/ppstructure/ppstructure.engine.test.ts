/**
 * The ppstructure engine against a loopback stand-in of a PaddleOCR PP-StructureV3 job service
 * (`/jobs-from-uploading`, `/longpoll/jobs/{id}`, `/result/json/jobs/{id}`) that answers with the
 * recorded real response of such a service and checks the requests it receives.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import ExcelJS from 'exceljs';
import { documentToXlsx, isOcrflowError, tableToMarkdown, tableToRows, type Block, type OcrDocument, type TableBlock } from '@ocrflow/core';
import { createPpStructureEngine, type PpStructureEngineOptions } from '../../src/ppstructure/ppstructure.engine.ts';
import type { RasterImage } from '../../src/types.ts';
import { closedPort, sendJson, startStandIn, type Received, type StandIn } from '../vlm/standin.http.ts';

const DATASETS = fileURLToPath(new URL('../../../../../shared/datasets/', import.meta.url));
const RESULT = JSON.parse(readFileSync(`${DATASETS}cn-report-dev/report-scan.ppstructure.json`, 'utf8')) as {
  job_id: string;
  pages: { width: number; height: number }[];
};
const TOKEN = 'pp-secret';

let PAGE: RasterImage;
before(async () => {
  // The scan at twice the size the service saw (912×1280): boxes must come back scaled ×2.
  const { data, info } = await sharp(`${DATASETS}cn-report-dev/report-scan.jpg`).resize(1824, 2560).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  PAGE = { data, width: info.width, height: info.height, channels: 3 };
});

const servers: StandIn[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

interface Script {
  upload?: (r: Received, res: ServerResponse, n: number) => boolean | void;
  /** Events per poll (the last entry repeats); `done` when the list holds a finished/failed event. */
  polls?: { type: string; error?: string }[][];
  result?: (res: ServerResponse) => void;
}

async function ppServer(script: Script = {}): Promise<StandIn & { uploads: { width: number; height: number; mime: string; filename: string }[] }> {
  const uploads: { width: number; height: number; mime: string; filename: string }[] = [];
  let uploadN = 0;
  let pollN = 0;
  let seq = 0;
  const polls = script.polls ?? [[{ type: 'queued' }], [{ type: 'running' }], [{ type: 'finished' }]];
  const s = await startStandIn(async (r, res) => {
    if (r.headers.authorization !== `Bearer ${TOKEN}`) return sendJson(res, 401, { detail: 'invalid token' });
    if (r.method === 'GET' && r.path === '/health') return sendJson(res, 200, { ok: true, queue_len: 2, worker_alive: true });
    if (r.method === 'POST' && r.path === '/jobs-from-uploading') {
      uploadN++;
      if (script.upload?.(r, res, uploadN)) return;
      const form = await new Response(new Uint8Array(r.body), { headers: { 'content-type': String(r.headers['content-type']) } }).formData();
      const file = form.get('file') as File;
      const meta = await sharp(Buffer.from(await file.arrayBuffer())).metadata();
      uploads.push({ width: meta.width!, height: meta.height!, mime: file.type, filename: file.name });
      return sendJson(res, 201, { job_id: RESULT.job_id });
    }
    if (r.method === 'GET' && r.path === `/longpoll/jobs/${RESULT.job_id}`) {
      assert.equal(Number(r.query.get('since_seq')), seq, 'since_seq continues from last_seq');
      assert.ok(Number(r.query.get('timeout_ms')) > 0);
      const evs = polls[Math.min(pollN++, polls.length - 1)].map((e) => ({ seq: ++seq, job_id: RESULT.job_id, ...e }));
      return sendJson(res, 200, { events: evs, last_seq: seq, done: evs.some((e) => e.type === 'finished' || e.type === 'failed') });
    }
    if (r.method === 'GET' && r.path === `/result/json/jobs/${RESULT.job_id}`) {
      if (script.result) return script.result(res);
      return sendJson(res, 200, RESULT);
    }
    sendJson(res, 404, { detail: 'Not Found' });
  });
  servers.push(s);
  return Object.assign(s, { uploads });
}

function options(s: StandIn | string, extra: Partial<PpStructureEngineOptions> = {}): PpStructureEngineOptions {
  return {
    baseUrl: typeof s === 'string' ? s : s.origin,
    token: TOKEN,
    timeoutMs: 10_000,
    concurrency: 2,
    retry: { maxRetries: 2, baseDelayMs: 20, maxDelayMs: 500 },
    healthTimeoutMs: 1000,
    pollMs: 200,
    ...extra,
  };
}

test('a page goes through upload, long-poll and result; the report table keeps its 12 columns and spans', async () => {
  const s = await ppServer();
  const r = await createPpStructureEngine(options(s)).recognize(PAGE, { languages: ['ch'], mode: 'layout' });

  assert.deepEqual(
    s.received.map((q) => `${q.method} ${q.path}`),
    [
      'POST /jobs-from-uploading',
      `GET /longpoll/jobs/${RESULT.job_id}`,
      `GET /longpoll/jobs/${RESULT.job_id}`,
      `GET /longpoll/jobs/${RESULT.job_id}`,
      `GET /result/json/jobs/${RESULT.job_id}`,
    ],
  );
  assert.ok(s.received.every((q) => q.headers.authorization === `Bearer ${TOKEN}`));
  assert.equal(s.uploads.length, 1);
  assert.deepEqual([s.uploads[0].width, s.uploads[0].height], [1824, 2560], 'the page is uploaded at its own size');
  assert.match(s.uploads[0].mime, /^image\/(png|jpeg)$/);

  assert.equal(r.blocks!.length, 1);
  const b = r.blocks![0] as TableBlock;
  assert.equal(b.type, 'table');
  assert.equal(b.source_label, 'table');
  // block_bbox [40, 42, 877, 1044] on the service's 912×1280 page, ours is 1824×2560.
  assert.deepEqual(b.bbox, [80, 84, 1754, 2088]);
  const t = b.table;
  assert.deepEqual([t.n_rows, t.n_cols], [34, 12]);
  assert.equal(t.cells.length, 160);
  assert.deepEqual(
    t.cells.find((c) => c.row_span === 4),
    { row: 3, col: 2, row_span: 4, col_span: 1, bbox: null, text: '区域分布', lines: [] },
  );
  assert.deepEqual(
    t.cells.filter((c) => c.row_span === 2).map((c) => [c.row, c.col, c.text]),
    [
      [17, 0, '指标名称'],
      [17, 1, '季度指标基线'],
    ],
  );
  const first = t.cells.find((c) => c.row === 0 && c.col === 0)!;
  assert.equal(first.col_span, 12);
  assert.match(first.text, /^呈报:长城汽车股份有限公司/);
  const rows = tableToRows(t);
  // The rows under the rowspan skip column 2.
  assert.deepEqual(rows[4].slice(0, 5), ['模式一', '4324', '', '3817', '404']);
  assert.deepEqual(rows[10], ['工单总量', '1457', '', '', '1510', '', '', '', '1391', '', '', '']);
  assert.deepEqual(rows[30].slice(0, 9), ['费用合计:', '', '', '', '', '', '', '', '41127.57']);
  // Spans survive into the outputs.
  const md = tableToMarkdown(t);
  assert.match(md, /<td rowspan="4">区域分布<\/td>/);
  assert.match(md, /<td colspan="3">1457<\/td><td colspan="4">1510<\/td><td colspan="4">1391<\/td>/);
  // One line per non-empty table row for overlays and text search, inside the table box.
  assert.equal(r.lines.length, 34);
  assert.ok(r.lines.every((l) => l.bbox[1] >= 84 && l.bbox[3] <= 2088));
  assert.deepEqual(r.flags, []);

  // The workbook made from this page: one sheet, the merges of the HTML, numbers as numbers.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await documentToXlsx(pageDoc(r.blocks!))) as unknown as ArrayBuffer);
  assert.equal(wb.worksheets.length, 1);
  const ws = wb.worksheets[0];
  assert.equal(ws.rowCount, 34);
  assert.equal(ws.columnCount, 12);
  const merges = (ws.model as unknown as { merges: string[] }).merges;
  for (const m of ['A1:L1', 'C4:C7', 'A18:A19', 'B18:B19', 'B11:D11', 'E11:H11', 'I11:L11', 'A31:H31'])
    assert.ok(merges.includes(m), `merge ${m} in ${merges.join(' ')}`);
  assert.equal(ws.getCell('C4').value, '区域分布');
  assert.equal(ws.getCell('B5').value, 4324);
  assert.equal(ws.getCell('I31').value, 41127.57);
});

function pageDoc(blocks: Block[]): OcrDocument {
  return {
    schema: 'ocrflow.document/1',
    meta: { engine: 'ppstructure', languages: ['ch'], mime: 'image/jpeg', page_count: 1 },
    pages: [{ index: 0, width: 1824, height: 2560, rotation: 0, source: 'remote', engine: 'ppstructure', blocks, flags: [], timings_ms: {} }],
  };
}

test('a failed job on the service fails the page with its message', async () => {
  const s = await ppServer({ polls: [[{ type: 'running' }], [{ type: 'failed', error: 'PaddleX pipeline crashed: out of GPU memory' }]] });
  await assert.rejects(createPpStructureEngine(options(s)).recognize(PAGE, { languages: ['ch'], mode: 'layout' }), (e: unknown) => {
    assert.ok(isOcrflowError(e));
    assert.equal(e.code, 'OCRFLOW_ERR_ENGINE_FAILED');
    assert.equal(e.message, `the ppstructure service ${s.origin} failed the page: PaddleX pipeline crashed: out of GPU memory`);
    return true;
  });
});

test('a wrong token is not retried; the message says what the service said', async () => {
  const s = await ppServer();
  await assert.rejects(
    createPpStructureEngine(options(s, { token: 'wrong' })).recognize(PAGE, { languages: ['ch'], mode: 'layout' }),
    /HTTP 401: invalid token$/,
  );
  assert.equal(s.received.length, 1);
});

test('a 503 on upload is retried, then the page succeeds', async () => {
  const s = await ppServer({ upload: (_r, res, n) => (n === 1 ? (sendJson(res, 503, { detail: 'busy' }, { 'retry-after': '0' }), true) : false) });
  const r = await createPpStructureEngine(options(s)).recognize(PAGE, { languages: ['ch'], mode: 'layout' });
  assert.equal(s.received.filter((q) => q.path === '/jobs-from-uploading').length, 2);
  assert.equal(r.blocks!.length, 1);
});

test('a job that never finishes fails at the page deadline', async () => {
  const s = await ppServer({ polls: [[]] });
  await assert.rejects(
    createPpStructureEngine(options(s, { timeoutMs: 600, pollMs: 50 })).recognize(PAGE, { languages: ['ch'], mode: 'layout' }),
    (e: unknown) => {
      assert.ok(isOcrflowError(e));
      assert.equal(e.code, 'OCRFLOW_ERR_ENGINE_FAILED');
      assert.match(e.message, new RegExp(`did not finish the page within 600 ms \\(job ${RESULT.job_id}\\)`));
      return true;
    },
  );
});

test('a garbage result fails the page', async () => {
  const s = await ppServer({ result: (res) => (res.writeHead(200, { 'content-type': 'text/plain' }), res.end('Internal Server Error')) });
  await assert.rejects(createPpStructureEngine(options(s)).recognize(PAGE, { languages: ['ch'], mode: 'layout' }), /is not JSON: Internal Server Error/);
  const s2 = await ppServer({
    result: (res) => sendJson(res, 200, { job_id: RESULT.job_id, final: { status: 'failed', error_message: 'layout model not loaded' } }),
  });
  await assert.rejects(createPpStructureEngine(options(s2)).recognize(PAGE, { languages: ['ch'], mode: 'layout' }), /failed the page: layout model not loaded/);
});

test('an unreachable service fails the page with ENGINE_UNAVAILABLE; health says why', async () => {
  const engine = createPpStructureEngine(options(`http://127.0.0.1:${await closedPort()}`, { retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 20 } }));
  await assert.rejects(
    engine.recognize(PAGE, { languages: ['ch'], mode: 'layout' }),
    (e: unknown) => isOcrflowError(e) && e.code === 'OCRFLOW_ERR_ENGINE_UNAVAILABLE' && /is not reachable \(ECONNREFUSED/.test(e.message),
  );
  const h = await engine.health();
  assert.equal(h.ok, false);
  assert.match(h.detail, /not reachable/);
});

test('health: GET /health with the token', async () => {
  const s = await ppServer();
  assert.deepEqual(await createPpStructureEngine(options(s)).health(), {
    name: 'ppstructure',
    ok: true,
    detail: `the ppstructure service ${s.origin}, queue_len 2`,
  });
  const bad = await createPpStructureEngine(options(s, { token: 'x' })).health();
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /HTTP 401/);
  assert.deepEqual(
    s.received.map((q) => q.path),
    ['/health', '/health'],
  );
});
