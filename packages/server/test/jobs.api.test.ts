/**
 * The job API over real loopback HTTP: submit, get, list (filters, cursor), idempotent task_id,
 * cancel and retry in every state, results. Workers start late so jobs can be seen queued.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Api, type ErrorBody, type Job } from './helpers/api.helper.ts';
import { dataset, SMALL_TABLE, makePdf, textPage } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
const small = dataset(SMALL_TABLE);
const pdf2 = makePdf([textPage(1), textPage(2)]);

before(async () => {
  srv = await startTestServer({ startWorkers: false });
  api = new Api(srv.url);
});
after(() => srv.close());

const jobs: Job[] = [];

test('submit: 202 with the job, durable and queued with its position', async () => {
  for (let i = 0; i < 3; i++)
    jobs.push(await api.submit(i === 1 ? pdf2 : small, i === 1 ? 'two.pdf' : `t${i}.png`, { task_id: `api-${i}`, languages: 'en', mode: 'text' }));
  const [a, b, c] = jobs;
  assert.equal(a.status, 'queued');
  assert.equal(a.task_id, 'api-0');
  assert.equal(a.mime, 'image/png');
  assert.equal(a.filename, 't0.png');
  assert.deepEqual(a.languages, ['en']);
  assert.equal(a.mode, 'text');
  assert.equal(b.mime, 'application/pdf');
  assert.equal(b.page_count, 2);
  assert.equal(a.result_url, null);
  assert.deepEqual([a.queue_position, b.queue_position, c.queue_position], [1, 2, 3]);
  assert.match(a.id, /^[0-9A-Z]{26}$/);
  const got = await api.job(b.id);
  assert.equal(got.id, b.id);
  assert.equal(got.status, 'queued');
  assert.equal(got.queue_position, 2);
  assert.equal(typeof got.metrics.inspect_ms, 'number');
});

test('list: newest first, filters and cursor pagination', async () => {
  const all = await api.json<{ jobs: Job[]; next_cursor: string | null }>('/v1/jobs?limit=2');
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.jobs.map((j) => j.id),
    [jobs[2].id, jobs[1].id],
  );
  assert.ok(all.body.next_cursor);
  const next = await api.json<{ jobs: Job[]; next_cursor: string | null }>(`/v1/jobs?limit=2&cursor=${all.body.next_cursor}`);
  assert.deepEqual(
    next.body.jobs.map((j) => j.id),
    [jobs[0].id],
  );
  assert.equal(next.body.next_cursor, null);
  const byTask = await api.json<{ jobs: Job[] }>('/v1/jobs?task_id=api-1');
  assert.deepEqual(
    byTask.body.jobs.map((j) => j.id),
    [jobs[1].id],
  );
  const byStatus = await api.json<{ jobs: Job[] }>('/v1/jobs?status=finished,failed');
  assert.equal(byStatus.body.jobs.length, 0);
  const badStatus = await api.json<ErrorBody>('/v1/jobs?status=done');
  assert.equal(badStatus.status, 400);
  assert.equal(badStatus.body.error.code, 'OCRFLOW_ERR_VALIDATION');
  const badCursor = await api.json<ErrorBody>('/v1/jobs?cursor=bm9wZQ');
  assert.equal(badCursor.status, 400);
  const badLimit = await api.json<ErrorBody>('/v1/jobs?limit=1000');
  assert.equal(badLimit.status, 400);
});

test('task_id: same content returns the same job (200); different content or options 409', async () => {
  const same = await api.submitRaw(small, 'again.png', { task_id: 'api-0', languages: 'en', mode: 'text' });
  assert.equal(same.status, 200);
  assert.equal(same.body.id, jobs[0].id);
  const otherBytes = await api.submitRaw(pdf2, 't0.png', { task_id: 'api-0', languages: 'en', mode: 'text' });
  assert.equal(otherBytes.status, 409);
  assert.equal(otherBytes.body.error.code, 'OCRFLOW_ERR_TASK_ID_CONFLICT');
  const otherMode = await api.submitRaw(small, 't0.png', { task_id: 'api-0', languages: 'en', mode: 'layout' });
  assert.equal(otherMode.status, 409);
  // Concurrent first submissions of one task_id: exactly one job.
  const rs = await Promise.all([0, 1, 2, 3].map(() => api.submitRaw(small, 'race.png', { task_id: 'race-1', mode: 'text' })));
  const codes = rs.map((r) => r.status).sort();
  assert.deepEqual(codes, [200, 200, 200, 202]);
  assert.equal(new Set(rs.map((r) => r.body.id)).size, 1);
  jobs.push(rs[0].body);
  const listed = await api.json<{ jobs: Job[] }>('/v1/jobs?task_id=race-1');
  assert.equal(listed.body.jobs.length, 1);
});

test('cancel a queued job: canceled at once, event appended, others move up; again is a no-op', async () => {
  const c = await api.json<Job>(`/v1/jobs/${jobs[0].id}`, { method: 'DELETE' });
  assert.equal(c.status, 200);
  assert.equal(c.body.status, 'canceled');
  assert.equal(c.body.error?.code, 'OCRFLOW_ERR_CANCELED');
  assert.equal(c.body.queue_position, null);
  assert.equal((await api.job(jobs[1].id)).queue_position, 1);
  const p = await api.poll(jobs[0].id, { since_seq: 0, timeout_ms: 0 });
  assert.deepEqual(
    p.events.map((e) => e.type),
    ['queued', 'canceled'],
  );
  assert.equal(p.done, true);
  const again = await api.json<Job>(`/v1/jobs/${jobs[0].id}`, { method: 'DELETE' });
  assert.equal(again.status, 200);
  assert.equal((await api.poll(jobs[0].id, { timeout_ms: 0 })).events.length, 2, 'no second canceled event');
});

test('retry: a canceled job is queued again; a queued one cannot be retried', async () => {
  const r = await api.json<Job>(`/v1/jobs/${jobs[0].id}/retry`, { method: 'POST' });
  assert.equal(r.status, 202);
  assert.equal(r.body.status, 'queued');
  assert.equal(r.body.error, null);
  const again = await api.json<ErrorBody>(`/v1/jobs/${jobs[0].id}/retry`, { method: 'POST' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'OCRFLOW_ERR_INVALID_STATE');
});

test('result before the job is done: 409 not ready; partial is allowed', async () => {
  const r = await api.json<ErrorBody>(`/v1/jobs/${jobs[1].id}/result?format=text`);
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'OCRFLOW_ERR_RESULT_NOT_READY');
  const partial = await api.fetch(`/v1/jobs/${jobs[1].id}/result?format=json&partial=true`);
  assert.equal(partial.status, 200);
  assert.equal(partial.headers.get('x-ocrflow-partial'), 'true');
  const doc = (await partial.json()) as { pages: unknown[]; meta: { page_count: number } };
  assert.equal(doc.pages.length, 0);
  assert.equal(doc.meta.page_count, 2);
});

test('workers run the queue to the end; finished jobs give results and refuse cancel/retry', async () => {
  await srv.service.startWorkers();
  const ids = [jobs[1].id, jobs[2].id, jobs[3].id, jobs[0].id];
  for (const id of ids) assert.equal((await api.waitDone(id)).status, 'finished', id);
  const pdfJob = await api.job(jobs[1].id);
  assert.equal(pdfJob.done_pages, 2);
  assert.equal(pdfJob.result_url, `${srv.url}/v1/jobs/${pdfJob.id}/result`);
  const text = await (await api.fetch(`/v1/jobs/${pdfJob.id}/result?format=text`)).text();
  assert.match(text, /Page 1 line 1: the quick brown fox/);
  assert.match(text, /Page 2 line 8: the quick brown fox/);
  const md = await api.fetch(`/v1/jobs/${pdfJob.id}/result?format=markdown`);
  assert.match(md.headers.get('content-type') ?? '', /text\/markdown/);
  assert.match(await md.text(), /Page 2 line 3/);
  const json = await api.json<{ schema: string; pages: { index: number; source: string }[] }>(`/v1/jobs/${pdfJob.id}/result`);
  assert.equal(json.body.schema, 'ocrflow.document/1');
  assert.deepEqual(
    json.body.pages.map((p) => [p.index, p.source]),
    [
      [0, 'text-layer'],
      [1, 'text-layer'],
    ],
  );
  const bad = await api.json<ErrorBody>(`/v1/jobs/${pdfJob.id}/result?format=docx`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'OCRFLOW_ERR_UNSUPPORTED_FORMAT');

  const small1 = await api.job(jobs[2].id);
  assert.equal(small1.attempts, 1);
  for (const k of ['queue_wait_ms', 'open_ms', 'pages_ms', 'run_ms', 'total_ms']) assert.equal(typeof small1.metrics[k], 'number', k);
  assert.equal(typeof (small1.metrics.stages_ms as Record<string, number>).detect, 'number');
  const smallText = await (await api.fetch(`/v1/jobs/${jobs[2].id}/result?format=text`)).text();
  assert.match(smallText, /Magnitude/);

  // Searchable PDFs: the PNG gets our text layer; the PDF's own text layer is kept and not doubled.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ocrflow-api-pdf-'));
  const pdfText = async (id: string) => {
    const r = await api.fetch(`/v1/jobs/${id}/result?format=pdf`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(body.subarray(0, 5).toString('latin1'), '%PDF-');
    const file = path.join(tmp, `${id}.pdf`);
    writeFileSync(file, body);
    execFileSync('qpdf', ['--check', file]);
    return { text: execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }), disposition: r.headers.get('content-disposition') };
  };
  const smallPdf = await pdfText(jobs[2].id);
  assert.match(smallPdf.text, /Magnitude/);
  assert.match(smallPdf.disposition ?? '', /t2\.pdf/);
  const twoPdf = await pdfText(pdfJob.id);
  assert.equal(twoPdf.text.match(/Page 1 line 1: the quick brown fox/g)?.length, 1);
  assert.equal(twoPdf.text.match(/Page 2 line 8: the quick brown fox/g)?.length, 1);

  const cancel = await api.json<ErrorBody>(`/v1/jobs/${pdfJob.id}`, { method: 'DELETE' });
  assert.equal(cancel.status, 409);
  assert.equal(cancel.body.error.code, 'OCRFLOW_ERR_INVALID_STATE');
  const retry = await api.json<ErrorBody>(`/v1/jobs/${pdfJob.id}/retry`, { method: 'POST' });
  assert.equal(retry.status, 409);

  // The retried job's events read as one story with no seq gaps.
  const ev = await api.poll(jobs[0].id, { timeout_ms: 0 });
  assert.deepEqual(
    ev.events.map((e) => e.seq),
    ev.events.map((_, i) => i + 1),
  );
  assert.deepEqual(
    ev.events.map((e) => e.type),
    ['queued', 'canceled', 'queued', 'running', 'running', 'finished'],
  );
  assert.equal(ev.events[2].reason, 'retry');
  assert.equal(ev.done, true);
});
