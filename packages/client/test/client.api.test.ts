/**
 * The SDK against the real service (in-process, real SQLite, real worker threads, loopback HTTP,
 * Bearer tokens): submissions from every input kind, waitFor over SSE and over long-poll, every
 * result format with asserted content, listing, cancel/retry, and the error mapping.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { dataset, DATASETS, SMALL_TABLE } from '../../server/test/helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.helper.ts';
import {
  injectFetch,
  OcrflowApiError,
  OcrflowClient,
  OcrflowNetworkError,
  OcrflowTimeoutError,
  verifyWebhook,
  type FetchLike,
  type JobEvent,
} from '../src/index.ts';
import { startReceiver, type Receiver } from './helpers/receiver.helper.ts';

const TOKEN = 'sdk-test-token';
const SECRET = 'whsec_' + Buffer.from('sdk-test-secret-0123456789abcdef').toString('base64');
const SMALL_PATH = path.join(DATASETS, SMALL_TABLE);

let srv: TestServer;
let ocr: OcrflowClient;
let receiver: Receiver;

before(async () => {
  receiver = await startReceiver();
  srv = await startTestServer({
    env: {
      OCRFLOW_TOKENS: TOKEN,
      OCRFLOW_ANALYSIS: '1',
      OCRFLOW_INPUT_DIRS: path.join(DATASETS, 'pubtabnet-dev'),
      OCRFLOW_WEBHOOK_SECRET: SECRET,
      OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1',
    },
  });
  ocr = new OcrflowClient({ baseUrl: srv.url, token: TOKEN });
});
after(async () => {
  await srv?.close();
  await receiver?.close();
});

const contiguous = (events: JobEvent[]) =>
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );

describe('submit and wait', () => {
  test('a Buffer, waited for over SSE: every event once, in order, ending finished', async () => {
    const job = await ocr.submit(dataset(SMALL_TABLE), { filename: 'small.png', mode: 'text', taskId: 'sdk-buffer' });
    assert.equal(job.status === 'queued' || job.status === 'running', true);
    assert.equal(job.filename, 'small.png');
    assert.equal(job.task_id, 'sdk-buffer');
    assert.equal(job.mode, 'text');
    const events: JobEvent[] = [];
    const done = await ocr.waitFor(job, { onEvent: (e) => events.push(e), transport: 'sse' });
    assert.equal(done.status, 'finished');
    assert.equal(done.done_pages, 1);
    contiguous(events);
    assert.deepEqual([events[0].type, events.at(-1)?.type], ['queued', 'finished']);
    assert.ok(events.some((e) => e.type === 'running' && e.phase === 'page' && e.page === 1));
    // The same task_id and content: the same job (200), not a new one.
    const again = await ocr.submit(dataset(SMALL_TABLE), { filename: 'small.png', mode: 'text', taskId: 'sdk-buffer' });
    assert.equal(again.id, job.id);
    // Different content under the same task_id: 409.
    await assert.rejects(ocr.submit(dataset('pubtabnet-dev/pubtabnet-PMC3519711_003_00.png'), { mode: 'text', taskId: 'sdk-buffer' }), (e: unknown) => {
      assert.ok(e instanceof OcrflowApiError);
      assert.equal(e.code, 'OCRFLOW_ERR_TASK_ID_CONFLICT');
      assert.equal(e.status, 409);
      return true;
    });
  });

  test('a path, a Node stream and a web ReadableStream upload the same bytes; long-poll waits too', async () => {
    const size = fs.statSync(SMALL_PATH).size;
    const fromPath = await ocr.submit(SMALL_PATH, { mode: 'text', languages: ['en'] });
    assert.equal(fromPath.filename, path.basename(SMALL_PATH));
    assert.deepEqual(fromPath.languages, ['en']);
    const fromNode = await ocr.submit(fs.createReadStream(SMALL_PATH), { filename: 'node-stream.png', mode: 'text' });
    const fromWeb = await ocr.submit(Readable.toWeb(fs.createReadStream(SMALL_PATH)) as ReadableStream<Uint8Array>, {
      filename: 'web-stream.png',
      mode: 'text',
    });
    for (const j of [fromPath, fromNode, fromWeb]) assert.equal(j.size_bytes, size, j.filename ?? '');
    assert.deepEqual([fromNode.filename, fromWeb.filename], ['node-stream.png', 'web-stream.png']);
    const events: JobEvent[] = [];
    const done = await ocr.waitFor(fromWeb.id, { transport: 'longpoll', onEvent: (e) => events.push(e) });
    assert.equal(done.status, 'finished');
    contiguous(events);
    for (const j of [fromPath, fromNode]) assert.equal((await ocr.waitFor(j)).status, 'finished');
    // The texts agree: the three uploads were the same document.
    const texts = await Promise.all([fromPath, fromNode, fromWeb].map((j) => ocr.result(j.id, 'text')));
    assert.equal(new Set(texts).size, 1);
  });

  test('a server-side path under OCRFLOW_INPUT_DIRS; one outside is refused with 403', async () => {
    const job = await ocr.submitPath(SMALL_PATH, { mode: 'text' });
    assert.equal(job.filename, path.basename(SMALL_PATH));
    assert.equal((await ocr.waitFor(job)).status, 'finished');
    await assert.rejects(
      ocr.submitPath(path.join(DATASETS, 'sroie-dev', 'sroie-000.jpg')),
      (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_FORBIDDEN_PATH' && e.status === 403,
    );
  });

  test('without SSE (a proxy that drops Accept: text/event-stream) waitFor falls back to long-poll', async () => {
    const accepts: string[] = [];
    const stripping: FetchLike = (url, init) => {
      const h = { ...(init?.headers as Record<string, string>) };
      accepts.push(h.accept ?? '');
      delete h.accept;
      return fetch(url, { ...init, headers: h });
    };
    const viaProxy = new OcrflowClient({ baseUrl: srv.url, token: TOKEN, fetch: stripping });
    const job = await viaProxy.submit(dataset(SMALL_TABLE), { mode: 'text' });
    const events: JobEvent[] = [];
    const done = await viaProxy.waitFor(job, { onEvent: (e) => events.push(e) });
    assert.equal(done.status, 'finished');
    contiguous(events);
    assert.ok(accepts.includes('text/event-stream'), 'SSE was tried first');
    assert.ok(accepts.filter((a) => a === 'application/json').length >= 2, 'then long-polls and the final read');
  });
});

test("in-process, without a socket: fetch over the app's inject, events by long-poll", async () => {
  const local = new OcrflowClient({ baseUrl: 'http://in-process', token: TOKEN, fetch: injectFetch(srv.service.app), eventTransport: 'longpoll' });
  const job = await local.submit(dataset(SMALL_TABLE), { filename: 'inject.png', mode: 'text', taskId: 'sdk-inject' });
  assert.equal(job.filename, 'inject.png');
  const events: JobEvent[] = [];
  const done = await local.waitFor(job, { onEvent: (e) => events.push(e) });
  assert.equal(done.status, 'finished');
  contiguous(events);
  assert.match(await local.result(done.id, 'text'), /Magnitude/);
  const xlsx = await local.result(done.id, 'xlsx');
  assert.deepEqual([...xlsx.subarray(0, 2)], [0x50, 0x4b]);
  await assert.rejects(local.get('01NOSUCHJOB0000000000000000'), (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_JOB_NOT_FOUND');
  await assert.rejects(
    new OcrflowClient({ baseUrl: 'http://in-process', fetch: injectFetch(srv.service.app) }).list(),
    (e: unknown) => e instanceof OcrflowApiError && e.status === 401,
  );
});

test('webhooks: the delivery log of a job, and a redelivery with the same webhook-id', async () => {
  const job = await ocr.submit(dataset(SMALL_TABLE), { mode: 'text', webhookUrl: receiver.url, webhookEvents: ['finished', 'progress'], taskId: 'sdk-hook' });
  assert.equal(job.webhook_url, receiver.url);
  assert.equal((await ocr.waitFor(job)).status, 'finished');
  const first = await receiver.waitFor((r) => r.body.includes(job.id) && r.body.includes('"job.finished"'));
  const payload = verifyWebhook(first.body, first.headers as Record<string, string>, SECRET);
  assert.deepEqual([payload.type, payload.job_id, payload.task_id, payload.total_pages, payload.done_pages], ['job.finished', job.id, 'sdk-hook', 1, 1]);
  let log = await ocr.deliveries(job.id);
  for (let i = 0; i < 50 && !log.every((d) => d.state === 'delivered'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    log = await ocr.deliveries(job.id);
  }
  assert.deepEqual(log.map((d) => d.type).sort(), ['job.finished', 'job.progress']);
  const fin = log.find((d) => d.type === 'job.finished');
  assert.ok(fin);
  assert.deepEqual([fin.state, fin.url, fin.source, fin.attempt_count, fin.attempts[0].http_status], ['delivered', receiver.url, 'job', 1, 200]);
  assert.equal(fin.webhook_id, first.headers['webhook-id']);
  const again = await ocr.redeliver(job.id);
  assert.equal(again.length, 1);
  assert.deepEqual([again[0].source, again[0].redelivery_of, again[0].webhook_id], ['redeliver', fin.id, fin.webhook_id]);
  const second = await receiver.waitFor((r) => r !== first && r.headers['webhook-id'] === fin.webhook_id);
  assert.equal(verifyWebhook(second.body, second.headers as Record<string, string>, SECRET).job_id, job.id);
});

describe('results', () => {
  let id: string;
  before(async () => {
    const job = await ocr.submit(dataset(SMALL_TABLE), { filename: 'table.png', mode: 'layout' });
    id = (await ocr.waitFor(job)).id;
  });

  test('json is the typed document; markdown, text and html are strings; xlsx is a workbook', async () => {
    const doc = await ocr.result(id, 'json');
    assert.equal(doc.schema, 'ocrflow.document/1');
    assert.equal(doc.meta.page_count, 1);
    assert.equal(doc.meta.filename, 'table.png');
    const tables = doc.pages[0].blocks.filter((b) => b.type === 'table');
    assert.ok(tables.length >= 1, 'the table was found');
    const text = await ocr.result(id, 'text');
    assert.match(text, /Magnitude/);
    assert.match(text, /Interval/);
    const md = await ocr.result(id, 'markdown');
    assert.match(md, /\|.*Magnitude.*\|/);
    const html = await ocr.result(id, 'html');
    assert.match(html, /<table[\s>]/);
    assert.match(html, /Magnitude/);
    const xlsx = await ocr.result(id, 'xlsx');
    assert.ok(xlsx instanceof Uint8Array);
    assert.deepEqual([...xlsx.subarray(0, 2)], [0x50, 0x4b], 'a zip (PK)');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.buffer.slice(xlsx.byteOffset, xlsx.byteOffset + xlsx.byteLength) as ArrayBuffer);
    assert.ok(wb.worksheets.length >= 1);
    const cells: string[] = [];
    wb.worksheets[0].eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    assert.ok(
      cells.some((c) => /Magnitude/.test(c)),
      `cells: ${cells.join(' | ')}`,
    );
  });

  test('analysis, default json format, and an unknown format mapped to OCRFLOW_ERR_UNSUPPORTED_FORMAT', async () => {
    const a = await ocr.analysis(id);
    assert.equal(a.schema, 'ocrflow.analysis/1');
    assert.equal(typeof a.kind, 'string');
    assert.ok(Array.isArray(a.tables));
    assert.equal((await ocr.result(id)).schema, 'ocrflow.document/1');
    await assert.rejects(
      ocr.result(id, 'docx' as 'text'),
      (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_UNSUPPORTED_FORMAT' && e.status === 400,
    );
  });

  test('list pages through every job; listAll follows next_cursor', async () => {
    const first = await ocr.list({ limit: 1 });
    assert.equal(first.jobs.length, 1);
    assert.ok(first.next_cursor);
    const all: string[] = [];
    for await (const j of ocr.listAll({ limit: 2 })) all.push(j.id);
    assert.ok(all.length >= 6, `saw ${all.length}`);
    assert.equal(new Set(all).size, all.length, 'no job twice');
    assert.deepEqual(all, [...all].sort().reverse(), 'newest first (ULIDs sort by time)');
    assert.equal(all[0], first.jobs[0].id);
    const byTask = await ocr.list({ taskId: 'sdk-buffer' });
    assert.deepEqual(
      byTask.jobs.map((j) => j.task_id),
      ['sdk-buffer'],
    );
    const finished = await ocr.list({ status: ['finished'], limit: 100 });
    assert.ok(finished.jobs.every((j) => j.status === 'finished'));
  });

  test('events: one long-poll returns the whole history of a finished job, done', async () => {
    const page = await ocr.events(id, { sinceSeq: 0, timeoutMs: 0 });
    assert.equal(page.done, true);
    assert.equal(page.events.at(-1)?.type, 'finished');
    assert.equal(page.last_seq, page.events.at(-1)?.seq);
    const tail = await ocr.events(id, { sinceSeq: page.last_seq - 1, timeoutMs: 0 });
    assert.deepEqual(
      tail.events.map((e) => e.seq),
      [page.last_seq],
    );
    const streamed: number[] = [];
    for await (const e of ocr.stream(id)) streamed.push(e.seq);
    assert.deepEqual(
      streamed,
      page.events.map((e) => e.seq),
    );
  });
});

describe('errors', () => {
  test('unknown job: OcrflowApiError OCRFLOW_ERR_JOB_NOT_FOUND, 404 (get, result, waitFor, cancel)', async () => {
    const is404 = (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_JOB_NOT_FOUND' && e.status === 404 && e.message.length > 0;
    await assert.rejects(ocr.get('01NOSUCHJOB0000000000000000'), is404);
    await assert.rejects(ocr.result('01NOSUCHJOB0000000000000000', 'text'), is404);
    await assert.rejects(ocr.waitFor('01NOSUCHJOB0000000000000000', { timeoutMs: 10_000 }), is404);
    await assert.rejects(ocr.cancel('01NOSUCHJOB0000000000000000'), is404);
  });

  test('bad or missing token: 401 OCRFLOW_ERR_UNAUTHORIZED; /health stays open', async () => {
    const bad = new OcrflowClient({ baseUrl: srv.url, token: 'wrong' });
    await assert.rejects(bad.list(), (e: unknown) => e instanceof OcrflowApiError && e.status === 401 && e.code === 'OCRFLOW_ERR_UNAUTHORIZED');
    await assert.rejects(
      new OcrflowClient({ baseUrl: srv.url }).submit(dataset(SMALL_TABLE)),
      (e: unknown) => e instanceof OcrflowApiError && e.status === 401,
    );
    const h = await bad.health();
    assert.equal(h.ok, true);
    assert.equal(h.worker_alive, true);
    assert.equal(typeof h.queue_len, 'number');
    assert.equal(await bad.ready(), true);
  });

  test('nothing listening: OcrflowNetworkError, not an API error', async () => {
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dead = new OcrflowClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 5000 });
    await assert.rejects(dead.get('x'), (e: unknown) => e instanceof OcrflowNetworkError && /ECONNREFUSED/.test(e.message));
  });

  test('a bad submission field: OCRFLOW_ERR_VALIDATION with the server message', async () => {
    await assert.rejects(
      ocr.submit(dataset(SMALL_TABLE), { mode: 'fast' as 'text' }),
      (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_VALIDATION' && e.status === 400,
    );
  });
});

describe('cancel, retry, timeouts (no workers: jobs stay queued)', () => {
  let idle: TestServer;
  let c: OcrflowClient;
  before(async () => {
    idle = await startTestServer({ startWorkers: false });
    c = new OcrflowClient({ baseUrl: idle.url });
  });
  after(async () => idle?.close());

  test('cancel a queued job, retry it, cancel again; result before the end is 409', async () => {
    const job = await c.submit(dataset(SMALL_TABLE), { mode: 'text' });
    assert.equal(job.status, 'queued');
    assert.equal(job.queue_position, 1);
    await assert.rejects(
      c.result(job.id, 'text'),
      (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_RESULT_NOT_READY' && e.status === 409,
    );
    await assert.rejects(c.retry(job.id), (e: unknown) => e instanceof OcrflowApiError && e.code === 'OCRFLOW_ERR_INVALID_STATE');
    const canceled = await c.cancel(job.id);
    assert.equal(canceled.status, 'canceled');
    const events: JobEvent[] = [];
    const waited = await c.waitFor(job.id, { onEvent: (e) => events.push(e) });
    assert.equal(waited.status, 'canceled');
    assert.deepEqual(
      events.map((e) => e.type),
      ['queued', 'canceled'],
    );
    const again = await c.retry(job.id);
    assert.equal(again.status, 'queued');
    assert.equal((await c.cancel(job.id)).status, 'canceled');
  });

  test('waitFor gives up after timeoutMs with OcrflowTimeoutError; an abort signal stops it too', async () => {
    const job = await c.submit(dataset(SMALL_TABLE), { mode: 'text' });
    const t0 = Date.now();
    await assert.rejects(
      c.waitFor(job, { timeoutMs: 400 }),
      (e: unknown) => e instanceof OcrflowTimeoutError && e.scope === 'wait' && e.code === 'OCRFLOW_ERR_TIMEOUT',
    );
    assert.ok(Date.now() - t0 < 20_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop waiting')), 200);
    await assert.rejects(c.waitFor(job, { signal: ac.signal, transport: 'longpoll' }), /stop waiting/);
    await c.cancel(job.id);
  });
});
