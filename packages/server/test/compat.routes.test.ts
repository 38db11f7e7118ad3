/**
 * The compatibility routes driven the way existing clients drive them, over real HTTP with real
 * OCR: a PaddleOCR-service client (upload → long-poll until an event of type `finished` → result
 * JSON → tables from `parsing_res_list`, Markdown, images zip), the engines' own ppstructure client
 * pointed at ocrflow, and a DeepSeek-OCR-Web client (`/api/start` with a file path, a webhook with
 * `task_id` and `result_dir`, `/api/progress`, `/api/result`, files read from `result_dir`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { runPpStructureJob } from '@ocrflow/engines';
import { Api, type ErrorBody } from './helpers/api.helper.ts';
import { DATASETS, REPORT_SCAN, SMALL_TABLE, dataset } from './helpers/fixtures.helper.ts';
import { Receiver } from './helpers/receiver.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';
import { readZip } from './helpers/zip.helper.ts';

const TOKEN = 'compat-token';
const SECRET = `whsec_${Buffer.from('compat routes test secret 0123456').toString('base64')}`;

interface PpBlock {
  block_label: string;
  block_content: string;
  block_bbox: number[];
  block_order: number | null;
}
interface PpResult {
  job_id: string;
  final: { status: string; error_message: string; total_pages: number; done_pages: number; elapsed_seconds: number };
  pages: { width: number; height: number; page_index: number | null; parsing_res_list: PpBlock[] }[];
}

let srv: TestServer;
let api: Api;
let rx: Receiver;

before(async () => {
  rx = await Receiver.start();
  srv = await startTestServer({
    env: {
      OCRFLOW_TOKENS: TOKEN,
      OCRFLOW_INPUT_DIRS: DATASETS,
      OCRFLOW_WEBHOOK_SECRET: SECRET,
      OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OCRFLOW_WEBHOOK_SCHEDULE: '200ms',
    },
  });
  api = new Api(srv.url, TOKEN);
});
after(async () => {
  await srv?.close();
  await rx?.close();
});

/** The PaddleOCR client loop: long-poll from the last seq until an event of type `finished`. */
async function waitFinished(jobId: string): Promise<{ types: string[] }> {
  let since = 0;
  const types: string[] = [];
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const r = await api.json<{ events: { seq: number; type: string; error_message?: string }[]; last_seq: number; done: boolean }>(
      `/longpoll/jobs/${jobId}?since_seq=${since}&timeout_ms=20000&max_events=100`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const e of r.body.events) {
      types.push(e.type);
      assert.ok(e.seq > since, 'seqs increase');
      if (e.type === 'failed') throw new Error(`job failed: ${e.error_message}`);
    }
    since = r.body.last_seq;
    if (types.includes('finished')) {
      assert.equal(r.body.done, true);
      return { types };
    }
  }
  throw new Error('no finished event');
}

test('PaddleOCR client: upload, long-poll until finished, tables as HTML in parsing_res_list', async () => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(dataset(REPORT_SCAN))], { type: 'image/jpeg' }), 'report-scan.jpg');
  const unauth = await fetch(`${srv.url}/jobs-from-uploading`, { method: 'POST', body: form });
  assert.equal(unauth.status, 401, 'the same Bearer token as the native API');
  const up = await api.json<{ job_id: string }>('/jobs-from-uploading', { method: 'POST', body: form });
  assert.equal(up.status, 201);
  assert.match(up.body.job_id, /^[0-9A-Z]{26}$/);
  const id = up.body.job_id;

  const { types } = await waitFinished(id);
  assert.equal(types[0], 'queued');
  assert.equal(types.at(-1), 'finished');

  const r = await api.json<PpResult>(`/result/json/jobs/${id}`);
  assert.equal(r.status, 200);
  const res = r.body;
  assert.equal(res.job_id, id);
  assert.equal(res.final.status, 'finished');
  assert.equal(res.final.error_message, '');
  assert.deepEqual([res.final.total_pages, res.final.done_pages], [1, 1]);
  assert.ok(res.final.elapsed_seconds > 0);
  assert.equal(res.pages.length, 1);
  const page = res.pages[0];
  const meta = await sharp(dataset(REPORT_SCAN)).metadata();
  assert.deepEqual([page.width, page.height], [meta.width, meta.height]);
  assert.equal(page.page_index, null);
  const tables = page.parsing_res_list.filter((b) => b.block_label === 'table');
  assert.ok(tables.length >= 1, JSON.stringify(page.parsing_res_list.map((b) => b.block_label)));
  const big = tables.find((t) => t.block_content.includes('4324'));
  assert.ok(big, 'the table with the counts is there');
  assert.match(big.block_content, /^<table>.*<\/table>$/s);
  assert.match(big.block_content, /colspan="\d+"/);
  assert.match(big.block_content, /rowspan="\d+"/);
  assert.doesNotMatch(big.block_content, /<th[ >]/, 'cells are <td> as in the service');
  const [x0, y0, x1, y1] = big.block_bbox;
  assert.ok(x0 < x1 && y0 < y1 && x1 <= page.width && y1 <= page.height);
  assert.ok((x1 - x0) * (y1 - y0) > 0.4 * page.width * page.height, 'the table covers most of the page, as in the reference');
  const allText = page.parsing_res_list.map((b) => b.block_content).join('\n');
  assert.match(allText, /长城汽车/);
  // The same labels and keys as the reference answer of the real service.
  const ref = JSON.parse(fs.readFileSync(path.join(DATASETS, 'cn-report-dev/report-scan.ppstructure.json'), 'utf8')) as {
    pages: { parsing_res_list: Record<string, unknown>[] }[];
  };
  for (const k of Object.keys(ref.pages[0].parsing_res_list[0])) assert.ok(k in big, `block key ${k}`);

  const md = await api.fetch(`/result/markdown/jobs/${id}`);
  assert.equal(md.status, 200);
  assert.match(md.headers.get('content-type') ?? '', /text\/markdown/);
  const mdText = await md.text();
  assert.match(mdText, /4324/);
  assert.match(mdText, /<table>/, 'spanned tables stay HTML in Markdown');

  const zr = await api.fetch(`/result/images/jobs/${id}`);
  assert.equal(zr.status, 200);
  assert.equal(zr.headers.get('content-type'), 'application/zip');
  const entries = readZip(Buffer.from(await zr.arrayBuffer()));
  const names = entries.map((e) => e.name);
  assert.ok(names.includes('page_0001.jpg'), names.join(','));
  const crops = entries.filter((e) => e.name.startsWith('tables/page_0001_table_'));
  assert.equal(crops.length, tables.length);
  const drawn = await sharp(entries.find((e) => e.name === 'page_0001.jpg')!.data).metadata();
  assert.deepEqual([drawn.width, drawn.height, drawn.format], [page.width, page.height, 'jpeg']);
  const bigIndex = tables.indexOf(big);
  const crop = await sharp(crops[bigIndex].data).metadata();
  assert.deepEqual([crop.width, crop.height], [x1 - x0, y1 - y0], 'the crop is the table box');
  // The box is drawn: the pixel on the table's left edge turned red-ish compared with the source.
  const edge = await sharp(entries[0].data)
    .extract({ left: x0, top: Math.round((y0 + y1) / 2), width: 1, height: 1 })
    .raw()
    .toBuffer();
  assert.ok(edge[0] > 150 && edge[1] < 120 && edge[2] < 120, `edge pixel ${[...edge]}`);
  // Built once: served again from the result directory, byte for byte.
  const again = await api.fetch(`/result/images/jobs/${id}`);
  assert.equal(readZip(Buffer.from(await again.arrayBuffer())).length, entries.length);
  assert.ok(fs.existsSync(path.join(srv.dataDir, 'files', 'jobs', id, 'result', 'images.zip')));
});

test("the engines' own PP-Structure client works against ocrflow unchanged", async () => {
  const res = await runPpStructureJob(
    { data: dataset(SMALL_TABLE), mime: 'image/png', filename: 'small.png' },
    { baseUrl: srv.url, token: TOKEN, timeoutMs: 120_000, retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 }, pollMs: 5000 },
  );
  assert.equal(res.final?.status, 'finished');
  const blocks = res.pages?.[0].parsing_res_list ?? [];
  const table = blocks.find((b) => b.block_label === 'table');
  assert.ok(table, JSON.stringify(blocks.map((b) => b.block_label)));
  assert.match(table.block_content ?? '', /Magnitude/);
  assert.match(table.block_content ?? '', /Interval/);
});

test('PaddleOCR routes: errors and states', async () => {
  assert.equal((await api.json<ErrorBody>('/result/json/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status, 404);
  const notMultipart = await api.json<ErrorBody>('/jobs-from-uploading', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(notMultipart.status, 415);
  const noFile = new FormData();
  noFile.append('task_id', 'x');
  assert.equal((await api.json<ErrorBody>('/jobs-from-uploading', { method: 'POST', body: noFile })).body.error.code, 'OCRFLOW_ERR_MISSING_FILE');
  const health = (await (await fetch(`${srv.url}/health`)).json()) as Record<string, unknown>;
  assert.equal(typeof health.ok, 'boolean');
  assert.equal(typeof health.queue_len, 'number');
  assert.equal(health.worker_alive, true);
  const spec = (await (await fetch(`${srv.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
  for (const p of [
    '/jobs-from-uploading',
    '/longpoll/jobs/{id}',
    '/result/json/jobs/{id}',
    '/result/markdown/jobs/{id}',
    '/result/images/jobs/{id}',
    '/api/start',
    '/api/progress/{task_id}',
    '/api/result/{task_id}',
    '/v1/jobs/{id}/deliveries',
    '/v1/jobs/{id}/deliveries/redeliver',
  ])
    assert.ok(spec.paths[p], p);
  assert.deepEqual(spec.paths['/api/start'].post.security, [{ bearer: [] }]);
  assert.deepEqual(spec.paths['/result/json/jobs/{id}'].get.security, [{ bearer: [] }]);
});

test('DeepSeek-OCR-Web client: /api/start with a file path and its task_id, webhook with task_id and result_dir', async () => {
  rx.on('/ds-hook', () => 200);
  const filePath = path.join(DATASETS, SMALL_TABLE);
  const start = await api.json<{ status: string; task_id: string }>('/api/start', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ file_path: filePath, prompt: '<image>\nFree OCR.', task_id: 'client-doc-7', webhook_url: `${rx.url}/ds-hook` }),
  });
  assert.equal(start.status, 200);
  assert.deepEqual([start.body.status, start.body.task_id], ['running', 'client-doc-7']);
  const p0 = await api.json<{ status: string; state: string; progress: number }>('/api/progress/client-doc-7');
  assert.equal(p0.body.status, 'success');
  assert.ok(['running', 'finished'].includes(p0.body.state));

  const [hook] = await rx.waitFor('/ds-hook', 1, 120_000);
  const body = new Webhook(SECRET).verify(hook.body, hook.headers) as { task_id: string; result_dir: string; status: string; type: string };
  assert.deepEqual([body.task_id, body.status, body.type], ['client-doc-7', 'finished', 'job.finished']);
  // The old client reads its files straight from result_dir.
  const md = fs.readFileSync(path.join(body.result_dir, 'result.md'), 'utf8');
  assert.match(md, /Magnitude/);
  assert.match(fs.readFileSync(path.join(body.result_dir, 'result.txt'), 'utf8'), /Interval/);

  const p1 = await api.json<{ status: string; state: string; progress: number }>('/api/progress/client-doc-7');
  assert.deepEqual([p1.body.status, p1.body.state, p1.body.progress], ['success', 'finished', 100]);
  const res = await api.json<{ status: string; state: string; result_dir: string; files: string[] }>('/api/result/client-doc-7');
  assert.deepEqual([res.body.status, res.body.state, res.body.result_dir], ['success', 'finished', body.result_dir]);
  for (const f of ['result.json', 'result.md', 'result.txt', 'result.html', 'result.xlsx']) assert.ok(res.body.files.includes(f), f);

  // Same task again → the same task; a path outside OCRFLOW_INPUT_DIRS → 403 with the original's error shape.
  const again = await api.json<{ status: string; task_id: string }>('/api/start', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ file_path: filePath, prompt: '<image>\nFree OCR.', task_id: 'client-doc-7', webhook_url: `${rx.url}/ds-hook` }),
  });
  assert.deepEqual([again.status, again.body.status, again.body.task_id], [200, 'running', 'client-doc-7']);
  const outside = await api.json<{ status: string; message: string; error: { code: string } }>('/api/start', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ file_path: '/etc/passwd' }),
  });
  assert.equal(outside.status, 403);
  assert.equal(outside.body.status, 'error');
  assert.equal(outside.body.error.code, 'OCRFLOW_ERR_FORBIDDEN_PATH');
  const missing = await api.json<{ status: string }>('/api/progress/no-such-task');
  assert.deepEqual([missing.status, missing.body.status], [404, 'error']);
  const noPath = await api.json<{ status: string; error: { code: string } }>('/api/start', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.deepEqual([noPath.status, noPath.body.status, noPath.body.error.code], [400, 'error', 'OCRFLOW_ERR_VALIDATION']);
  // Without a task_id the client gets one to poll with.
  const anon = await api.json<{ status: string; task_id: string }>('/api/start', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ file_path: filePath, prompt: 'other' }),
  });
  assert.equal(anon.body.status, 'running');
  assert.equal((await api.json<{ status: string }>(`/api/progress/${anon.body.task_id}`)).body.status, 'success');
});
