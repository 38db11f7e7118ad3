/**
 * The workbench API without running OCR (the worker threads are held back, so jobs stay queued):
 * the envelope on every answer, bad uploads refused with nothing stored, illegal transitions (409),
 * unknown tasks (404), listing, long-poll and SSE, delete (job canceled, files gone), webhook
 * signature checks, health's plain message, the OpenAPI document and the web UI at `/`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPEN_CALLER } from '@ocrflow/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { BAD_INPUTS, dataset, makePdf, REPORT_SCAN, SMALL_TABLE, textPage } from '../helpers/fixtures.helper.ts';
import { SECRET, startWb, tempFiles, WbApi, workbenchFiles, type TaskView, type WbServer } from './helpers/workbench.helper.ts';

let srv: WbServer;
let api: WbApi;
let webDir: string;

before(async () => {
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-web-'));
  // 0.05 MB: the report scan (~200 KB) is too large, the small table (3.5 KB) fits.
  srv = await startWb({ startWorkers: false, env: { OCRFLOW_WORKBENCH_MAX_UPLOAD_MB: '0.05' }, workbench: { webDir } });
  api = new WbApi(srv.url);
});
after(async () => {
  await srv?.close();
  fs.rmSync(webDir, { recursive: true, force: true });
});

async function taskCount(): Promise<number> {
  return (await api.call<{ total: number }>('/api/v1/tasks')).body.data.total;
}

test('bad uploads: each a clear error in the envelope, and nothing stored (no row, no file)', async () => {
  const before = await taskCount();
  const tiff = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#fff' } })
    .tiff()
    .toBuffer();
  const cases: {
    name: string;
    send: () => Promise<{ status: number; body: { code?: string; message: string } }>;
    status: number;
    code: string;
    message: RegExp;
  }[] = [
    {
      name: 'text renamed .png',
      send: () => api.upload(BAD_INPUTS.textAsPng().data, 'notes.png'),
      status: 415,
      code: 'OCRFLOW_ERR_UNSUPPORTED_MEDIA',
      message: /png, jpg, jpeg, webp or pdf/,
    },
    {
      name: 'a real TIFF (a type the workbench does not take)',
      send: () => api.upload(tiff, 'scan.tiff'),
      status: 415,
      code: 'OCRFLOW_ERR_UNSUPPORTED_MEDIA',
      message: /image\/tiff/,
    },
    { name: 'too large', send: () => api.upload(dataset(REPORT_SCAN), 'big.jpg'), status: 413, code: 'OCRFLOW_ERR_PAYLOAD_TOO_LARGE', message: /limit/ },
    { name: 'empty', send: () => api.upload(Buffer.alloc(0), 'empty.png'), status: 400, code: 'OCRFLOW_ERR_EMPTY_FILE', message: /empty/ },
    { name: 'no file field', send: () => api.upload(dataset(SMALL_TABLE), 'x.png', 'picture'), status: 400, code: 'OCRFLOW_ERR_VALIDATION', message: /"file"/ },
    {
      name: 'not multipart',
      send: () => api.call('/api/v1/upload/image', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      status: 415,
      code: 'OCRFLOW_ERR_UNSUPPORTED_MEDIA',
      message: /multipart/,
    },
    {
      name: 'truncated JPEG',
      send: () => api.upload(BAD_INPUTS.truncatedJpeg().data, 'cut.jpg'),
      status: 422,
      code: 'OCRFLOW_ERR_CORRUPT_FILE',
      message: /corrupt|truncated/,
    },
  ];
  for (const c of cases) {
    const r = await c.send();
    assert.equal(r.status, c.status, `${c.name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, c.code, c.name);
    assert.match(r.body.message, c.message, c.name);
  }
  assert.equal(await taskCount(), before);
  assert.deepEqual(workbenchFiles(srv.dataDir), []);
  assert.deepEqual(tempFiles(srv.dataDir), []);
});

let task: TaskView;

test('an upload creates the task, keeps its UTF-8 name and starts OCR through the service API', async () => {
  const png = dataset(SMALL_TABLE);
  const r = await api.upload(png, '报表.png');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  task = r.body.data;
  assert.equal(task.filename, '报表.png');
  assert.equal(task.mime, 'image/png');
  assert.equal(task.size_bytes, png.length);
  assert.equal(task.status, 'ocr_processing');
  assert.match(task.id, /^tsk_[0-9A-Z]{26}$/);
  assert.deepEqual(
    task.transitions.map((t) => t.status),
    ['created', 'uploaded', 'ocr_processing'],
  );
  assert.ok(task.ocr_job_id);
  // The job was submitted through the client: our task id, our webhook receiver on loopback.
  const job = (await (await fetch(`${srv.url}/v1/jobs/${task.ocr_job_id}`)).json()) as {
    task_id: string;
    webhook_url: string;
    status: string;
    filename: string;
  };
  assert.equal(job.task_id, task.id);
  assert.equal(job.webhook_url, `${srv.url}/api/v1/ocr/webhook`);
  assert.equal(job.filename, '报表.png');
  assert.equal(job.status, 'queued');
  // The upload is served back as sent.
  const img = await fetch(`${srv.url}/api/v1/tasks/${task.id}/image`);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.ok(Buffer.from(await img.arrayBuffer()).equals(png));
});

test('PDF and WebP uploads are taken; a PDF is shown as its first page in PNG', async () => {
  const pdf = await api.upload(makePdf([textPage(1), textPage(2)]), 'Quarterly report.pdf');
  assert.equal(pdf.status, 201, JSON.stringify(pdf.body));
  assert.deepEqual([pdf.body.data.mime, pdf.body.data.page_count], ['application/pdf', 2]);
  const img = await fetch(`${srv.url}/api/v1/tasks/${pdf.body.data.id}/image`);
  assert.equal(img.headers.get('content-type'), 'image/png');
  const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
  assert.equal(meta.format, 'png');
  assert.ok((meta.height ?? 0) > (meta.width ?? 0), 'an A4 page, portrait');
  const webp = await api.upload(await sharp(dataset(SMALL_TABLE)).webp().toBuffer(), 'table.webp');
  assert.equal(webp.status, 201, JSON.stringify(webp.body));
  assert.equal(webp.body.data.mime, 'image/webp');
  for (const id of [pdf.body.data.id, webp.body.data.id]) assert.equal((await api.call(`/api/v1/tasks/${id}`, { method: 'DELETE' })).status, 200);
});

test('an upload racing a start of the same task (reconcile right after a restart) still answers 201, with one job', async () => {
  const wb = srv.service.services.workbench!;
  const temp = await srv.service.adapters.blobs.receive(Readable.from([dataset(SMALL_TABLE)]), { maxBytes: 1 << 20 });
  const created = await wb.tasks.create(OPEN_CALLER, temp, 'race.png');
  // What the upload route and reconcile both do: start it; only one may move it, neither may fail.
  const both = await Promise.all([wb.ocr.start(created.id, { orCurrent: true }), wb.ocr.start(created.id, { orCurrent: true })]);
  assert.deepEqual(
    both.map((t) => t.status),
    ['ocr_processing', 'ocr_processing'],
  );
  // Whichever lost the race answers with the winner's job, never with none.
  assert.ok(both[0].ocrJobId, 'the start answers with its job');
  assert.equal(both[1].ocrJobId, both[0].ocrJobId);
  const jobs = (await (await fetch(`${srv.url}/v1/jobs?task_id=${created.id}`)).json()) as { jobs: unknown[] };
  assert.equal(jobs.jobs.length, 1, 'one OCR job for the task');
  // The service's plain start still refuses a second start; the route answers with the running job.
  await assert.rejects(wb.ocr.start(created.id), /The task is ocr_processing/);
  const again = await api.call<TaskView & { message: string }>(`/api/v1/ocr/start/${created.id}`, { method: 'POST' });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.deepEqual([again.body.data.status, again.body.data.ocr_job_id, again.body.data.message], ['ocr_processing', both[0].ocrJobId, 'OCR is running']);
  assert.equal((await api.call(`/api/v1/tasks/${created.id}`, { method: 'DELETE' })).status, 200);
});

test('illegal moves are 409, reads before OCR are 409/404, unknown tasks 404 — all in the envelope', async () => {
  const id = task.id;
  for (const [p, init, status, code] of [
    [`/api/v1/ocr/retry/${id}`, { method: 'POST' }, 409, 'OCRFLOW_ERR_INVALID_STATE'],
    [`/api/v1/tasks/${id}/tables`, {}, 409, 'OCRFLOW_ERR_RESULT_NOT_READY'],
    [`/api/v1/tasks/${id}/excel`, {}, 409, 'OCRFLOW_ERR_RESULT_NOT_READY'],
    [`/api/v1/tasks/${id}/pdf`, {}, 409, 'OCRFLOW_ERR_RESULT_NOT_READY'],
    [`/api/v1/tasks/${id}/document`, {}, 409, 'OCRFLOW_ERR_RESULT_NOT_READY'],
    [`/api/v1/tasks/${id}/text`, {}, 409, 'OCRFLOW_ERR_RESULT_NOT_READY'],
    [`/api/v1/tasks/${id}/analysis`, {}, 409, 'OCRFLOW_ERR_RESULT_NOT_READY'],
    [`/api/v1/tasks/${id}/image?page=0`, {}, 404, 'OCRFLOW_ERR_NOT_FOUND'],
    ['/api/v1/tasks/tsk_00000000000000000000000000', {}, 404, 'OCRFLOW_ERR_TASK_NOT_FOUND'],
    ['/api/v1/tasks/tsk_00000000000000000000000000/excel', {}, 404, 'OCRFLOW_ERR_TASK_NOT_FOUND'],
    ['/api/v1/ocr/retry/nope', { method: 'POST' }, 404, 'OCRFLOW_ERR_TASK_NOT_FOUND'],
    ['/api/v1/no-such-route', {}, 404, 'OCRFLOW_ERR_NOT_FOUND'],
    ['/api/v1/tasks?page_size=1000', {}, 400, 'OCRFLOW_ERR_VALIDATION'],
  ] as [string, RequestInit, number, string][]) {
    const r = await api.call(p, init);
    assert.equal(r.status, status, `${p}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, code, p);
  }
  const put = await api.putTables(task.id, { sheets: [{ name: 'A', rows: [['x']], merges: [] }] });
  assert.equal(put.status, 409);
  assert.match(put.body.message, /ocr_processing/);
  // Still where it was.
  assert.equal((await api.task(task.id)).status, 'ocr_processing');
});

test('long-poll returns when the task changes or at its time-out; SSE sends the task, then its deletion', async () => {
  const t0 = Date.now();
  const same = await api.call<TaskView>(`/api/v1/tasks/${task.id}/events?since=${encodeURIComponent(task.updated_at)}&timeout_ms=300`);
  assert.equal(same.status, 200);
  assert.ok(Date.now() - t0 >= 250, 'waited for a change');
  assert.equal(same.body.data.updated_at, task.updated_at);
  const now = await api.call<TaskView>(`/api/v1/tasks/${task.id}/events?since=1970-01-01T00:00:00Z&timeout_ms=10000`);
  assert.equal(now.body.data.id, task.id);

  // A second task, followed over SSE while it is deleted.
  const other = (await api.upload(dataset(SMALL_TABLE), 'second.png')).body.data;
  const ac = new AbortController();
  const res = await fetch(`${srv.url}/api/v1/tasks/${other.id}/events`, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  const readUntil = async (re: RegExp) => {
    while (!re.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
  };
  await readUntil(/event: task\ndata: .*\n\n/);
  const first = JSON.parse(/event: task\ndata: (.*)\n/.exec(text)![1]) as TaskView;
  assert.equal(first.id, other.id);
  assert.equal(first.status, 'ocr_processing');
  const del = await api.call<{ deleted: boolean }>(`/api/v1/tasks/${other.id}`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  await readUntil(/event: deleted/);
  assert.match(text, /event: deleted\ndata: \{"id":"tsk_/);
  ac.abort();
  // Deleting canceled its queued OCR job and removed its files.
  const job = (await (await fetch(`${srv.url}/v1/jobs/${other.ocr_job_id}`)).json()) as { status: string };
  assert.equal(job.status, 'canceled');
  assert.ok(!workbenchFiles(srv.dataDir).some((f) => f.startsWith(other.id)));
  assert.equal((await api.call(`/api/v1/tasks/${other.id}`)).status, 404);
  assert.equal((await api.call(`/api/v1/tasks/${other.id}`, { method: 'DELETE' })).status, 404);
});

test('the list is newest first and paginated', async () => {
  const a = (await api.upload(dataset(SMALL_TABLE), 'a.png')).body.data;
  const b = (await api.upload(dataset(SMALL_TABLE), 'b.png')).body.data;
  const r = await api.call<{ items: TaskView[]; total: number; page: number; page_size: number }>('/api/v1/tasks?page=1&page_size=2');
  assert.deepEqual(
    r.body.data.items.map((t) => t.id),
    [b.id, a.id],
  );
  assert.equal(r.body.data.page_size, 2);
  const total = r.body.data.total;
  assert.ok(total >= 3);
  const last = await api.call<{ items: TaskView[] }>(`/api/v1/tasks?page=${Math.ceil(total / 2)}&page_size=2`);
  assert.equal(last.body.data.items[last.body.data.items.length - 1].id, task.id);
  assert.ok(last.body.data.items[0].transitions.length >= 3);
});

test('webhook receiver: wrong secret, tampered body, old timestamp and missing headers are 401; nothing changes', async () => {
  const body = JSON.stringify({ type: 'job.finished', job_id: task.ocr_job_id, task_id: task.id, status: 'finished', timestamp: new Date().toISOString() });
  const send = (b: string, headers: Record<string, string>) =>
    api.call('/api/v1/ocr/webhook', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: b });
  const signed = (secret: string, b: string, at = new Date()) => {
    const id = `msg_${task.ocr_job_id}_9`;
    return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, b) };
  };
  const otherSecret = `whsec_${Buffer.from('not the shared secret at all 0123').toString('base64')}`;
  const cases: [string, string, Record<string, string>][] = [
    ['wrong secret', body, signed(otherSecret, body)],
    ['tampered body', body.replace('finished', 'failed'), signed(SECRET, body)],
    ['old timestamp', body, signed(SECRET, body, new Date(Date.now() - 10 * 60_000))],
    ['no signature headers', body, {}],
  ];
  for (const [name, b, h] of cases) {
    const r = await send(b, h);
    assert.equal(r.status, 401, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'OCRFLOW_ERR_BAD_SIGNATURE', name);
  }
  // A correct signature is accepted; the job is still queued, so it changes nothing either.
  const ok = await send(body, signed(SECRET, body));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.data, { task_id: task.id, outcome: 'ignored', reason: 'the job is queued now' });
  assert.equal((await api.task(task.id)).status, 'ocr_processing');
});

test('health says in plain words that no OCR worker runs, and gives the upload limit', async () => {
  const r = await api.call<{ ok: boolean; ocr_service: string; worker_alive: boolean; message: string; max_upload_mb: number; queue_len: number }>(
    '/api/v1/ocr/health',
  );
  assert.equal(r.status, 200);
  assert.equal(r.body.data.ok, false);
  assert.equal(r.body.data.ocr_service, 'embedded');
  assert.equal(r.body.data.worker_alive, false);
  assert.match(r.body.data.message, /no running OCR worker/);
  assert.equal(r.body.data.max_upload_mb, 0.05);
  assert.ok(r.body.data.queue_len >= 1);
});

test('every workbench route is in the OpenAPI document', async () => {
  const doc = (await (await fetch(`${srv.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const want: [string, string][] = [
    ['/api/v1/upload/image', 'post'],
    ['/api/v1/tasks', 'get'],
    ['/api/v1/tasks/{id}', 'get'],
    ['/api/v1/tasks/{id}', 'delete'],
    ['/api/v1/tasks/{id}/events', 'get'],
    ['/api/v1/ocr/start/{id}', 'post'],
    ['/api/v1/ocr/retry/{id}', 'post'],
    ['/api/v1/ocr/health', 'get'],
    ['/api/v1/ocr/webhook', 'post'],
    ['/api/v1/tasks/{id}/image', 'get'],
    ['/api/v1/tasks/{id}/document', 'get'],
    ['/api/v1/tasks/{id}/text', 'get'],
    ['/api/v1/tasks/{id}/analysis', 'get'],
    ['/api/v1/tasks/{id}/tables', 'get'],
    ['/api/v1/tasks/{id}/tables', 'put'],
    ['/api/v1/tasks/{id}/excel', 'get'],
    ['/api/v1/tasks/{id}/pdf', 'get'],
    ['/api/v1/ocr/poll/{task_id}', 'post'],
    ['/api/v1/table/data/{task_id}', 'get'],
    ['/api/v1/table/save/{task_id}', 'post'],
    ['/api/v1/excel/generate/{task_id}', 'post'],
    ['/api/v1/excel/download/{task_id}', 'get'],
  ];
  for (const [p, m] of want) assert.ok(doc.paths[p]?.[m], `${m.toUpperCase()} ${p} missing from /openapi.json`);
  assert.ok(!Object.keys(doc.paths).includes('/*'), 'the UI catch-all is hidden');
});

test('the web UI at /: a plain page until built, then files, SPA fallback for pages, JSON 404s for APIs', async () => {
  const html = { accept: 'text/html,application/xhtml+xml' };
  let r = await fetch(`${srv.url}/`, { headers: html });
  assert.equal(r.status, 503);
  assert.match(await r.text(), /web UI is not built/);

  fs.mkdirSync(path.join(webDir, 'assets'));
  fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>ocrflow UI</title><div id="root"></div>');
  fs.writeFileSync(path.join(webDir, 'assets', 'app-abc123.js'), 'console.log("ui")');
  r = await fetch(`${srv.url}/`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /ocrflow UI/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  r = await fetch(`${srv.url}/tasks/${task.id}`, { headers: html });
  assert.equal(r.status, 200);
  assert.match(await r.text(), /ocrflow UI/);
  r = await fetch(`${srv.url}/assets/app-abc123.js`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /javascript/);
  assert.match(r.headers.get('cache-control') ?? '', /immutable/);
  assert.equal(await r.text(), 'console.log("ui")');
  for (const p of ['/assets/missing.js', '/v1/nothing', '/api/v1/nothing']) {
    r = await fetch(`${srv.url}${p}`, { headers: html });
    assert.equal(r.status, 404, p);
    assert.match(r.headers.get('content-type') ?? '', /json/, p);
  }
  // Nothing outside the UI directory is served, however the path is spelled.
  for (const p of ['/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/..%5c..%5cetc/passwd']) {
    r = await fetch(`${srv.url}${p}`, { headers: html });
    assert.doesNotMatch(await r.text(), /root:/, p);
  }
  // The service API is untouched by the catch-all.
  assert.equal((await fetch(`${srv.url}/health`)).status, 200);
  const e = (await (await fetch(`${srv.url}/v1/jobs/nope`)).json()) as { error: { code: string } };
  assert.equal(e.error.code, 'OCRFLOW_ERR_JOB_NOT_FOUND');
});
