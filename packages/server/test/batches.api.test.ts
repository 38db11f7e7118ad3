/**
 * Batches end to end on real HTTP with real OCR: submit many documents as one (multipart and
 * server paths), watch the batch (long-poll and SSE), collect one zip, get one signed webhook;
 * batch_id idempotency, bad input, cancel, and a batch that does not starve single jobs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { Api, readSse } from './helpers/api.helper.ts';
import { followBatch, getBatch, submitBatch, submitBatchPaths, type Batch, type BatchDoc } from './helpers/batch.helper.ts';
import { BAD_INPUTS, dataset, makePdf, SLOW_TABLE, SMALL_TABLE, textPage } from './helpers/fixtures.helper.ts';
import { Receiver } from './helpers/receiver.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';
import { readZip } from './helpers/zip.helper.ts';

const SECRET = `whsec_${Buffer.from('ocrflow batch webhook test secret 0123').toString('base64')}`;
let srv: TestServer;
let api: Api;
let hook: Receiver;
const inputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-batch-input-'));

before(async () => {
  hook = await Receiver.start();
  srv = await startTestServer({
    env: { OCRFLOW_WEBHOOK_SECRET: SECRET, OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1', OCRFLOW_INPUT_DIRS: inputDir, OCRFLOW_WEBHOOK_RETRY_SCHEDULE: '200ms,500ms' },
  });
  api = new Api(srv.url);
});
after(async () => {
  await srv?.close();
  await hook?.close();
  fs.rmSync(inputDir, { recursive: true, force: true });
});

const table = () => ({ data: dataset(SMALL_TABLE), name: 'table.png' });
const pdf = (n: number) => ({ data: makePdf([textPage(n), textPage(n + 1)]), name: `doc-${n}.pdf` });

test('a batch of three: events, counts and pages, one signed webhook, a zip of results; the same POST again is the same batch', async () => {
  const files = [table(), pdf(1), pdf(10)];
  const r = await submitBatch(api, files, { batch_id: 'scans-2026', webhook_url: `${hook.url}/batch`, mode: 'text' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const { batch, documents } = r.body;
  assert.equal(batch.batch_id, 'scans-2026');
  assert.equal(batch.total, 3);
  assert.deepEqual(
    documents.map((d) => [d.position, d.task_id]),
    [
      [1, 'scans-2026#1'],
      [2, 'scans-2026#2'],
      [3, 'scans-2026#3'],
    ],
  );

  const events = await followBatch(api, batch.id);
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'batch seqs 1, 2, 3, … without gaps',
  );
  assert.equal(events[0].type, 'created');
  const ended = events.filter((e) => e.type === 'document_ended');
  assert.deepEqual(ended.map((e) => e.job_id).sort(), documents.map((d) => d.job_id).sort(), 'each document ended once');
  assert.deepEqual(
    ended.map((e) => e.ended),
    [1, 2, 3],
  );
  assert.equal(events.at(-1)?.type, 'ended');

  const b = await getBatch(api, 'scans-2026'); // by the client's batch_id too
  assert.equal(b.id, batch.id);
  assert.equal(b.state, 'ended');
  assert.equal(b.counts.finished, 3);
  assert.equal(b.ended, 3);
  assert.equal(b.pages_total, 5);
  assert.equal(b.pages_done, 5);

  const [got] = await hook.waitFor('/batch', 1);
  const body = new Webhook(SECRET).verify(got.body, got.headers) as Record<string, unknown>;
  assert.equal(body.type, 'batch.ended');
  assert.equal(body.id, batch.id);
  assert.deepEqual(body.counts, { queued: 0, running: 0, finished: 3, failed: 0, canceled: 0 });

  const zipRes = await api.fetch(`/v1/batches/${batch.id}/results?format=markdown`);
  assert.equal(zipRes.status, 200);
  assert.equal(zipRes.headers.get('content-type'), 'application/zip');
  const entries = readZip(Buffer.from(await zipRes.arrayBuffer()));
  assert.deepEqual(
    entries.map((e) => e.name),
    ['00001_table.md', '00002_doc-1.md', '00003_doc-10.md', 'manifest.json'],
  );
  assert.match(entries[1].data.toString('utf8'), /Page 2 line 8/);
  assert.match(entries[2].data.toString('utf8'), /Page 11 line 8/);
  assert.ok(entries[0].data.length > 20, 'the table image was read');
  const manifest = JSON.parse(entries[3].data.toString('utf8')) as { documents: { status: string; entry: string }[] };
  assert.deepEqual(
    manifest.documents.map((d) => d.status),
    ['finished', 'finished', 'finished'],
  );

  // The same documents and options again: the same batch, nothing new written.
  const again = await submitBatch(api, files, { batch_id: 'scans-2026', webhook_url: `${hook.url}/batch`, mode: 'text' });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.batch.id, batch.id);
  assert.deepEqual(again.body.documents, documents);
  // Other content under the same batch_id: 409.
  const other = await submitBatch(api, [pdf(1)], { batch_id: 'scans-2026' });
  assert.equal(other.status, 409);
  assert.equal(other.body.error.code, 'OCRFLOW_ERR_BATCH_ID_CONFLICT');

  // SSE from the start replays every event and ends after `ended`.
  const sse = await readSse(`${srv.url}/v1/batches/${batch.id}/events`, {});
  assert.equal(sse.status, 200);
  assert.ok(sse.ended);
  assert.deepEqual(
    sse.events.map((e) => e.event),
    events.map((e) => e.type),
  );
  assert.equal(hook.at('/batch').length, 1, 'the webhook was sent once');
});

test('server paths under OCRFLOW_INPUT_DIRS, with the task_ids of the client; paths outside are refused', async () => {
  fs.writeFileSync(path.join(inputDir, 'a.pdf'), pdf(3).data);
  fs.writeFileSync(path.join(inputDir, 'b.pdf'), pdf(5).data);
  const r = await submitBatchPaths(api, { file_paths: [path.join(inputDir, 'a.pdf'), path.join(inputDir, 'b.pdf')], task_ids: ['inv-a', 'inv-b'] });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.documents.map((d) => d.task_id),
    ['inv-a', 'inv-b'],
  );
  await followBatch(api, r.body.batch.id);
  const b = await getBatch(api, r.body.batch.id);
  assert.deepEqual([b.state, b.counts.finished], ['ended', 2]);
  const job = await api.json<{ task_id: string; filename: string }>(`/v1/jobs/${r.body.documents[1].job_id}`);
  assert.deepEqual([job.body.task_id, job.body.filename], ['inv-b', 'b.pdf']);

  const outside = await submitBatchPaths(api, { file_paths: [path.join(inputDir, 'a.pdf'), '/etc/passwd'] });
  assert.deepEqual([outside.status, outside.body.error.code], [403, 'OCRFLOW_ERR_FORBIDDEN_PATH']);
  const dotdot = await submitBatchPaths(api, { file_paths: [path.join(inputDir, '..', 'x.pdf')] });
  assert.deepEqual([dotdot.status, dotdot.body.error.code], [403, 'OCRFLOW_ERR_FORBIDDEN_PATH']);
  const missing = await submitBatchPaths(api, { file_paths: [path.join(inputDir, 'nope.pdf')] });
  assert.deepEqual([missing.status, missing.body.error.code], [404, 'OCRFLOW_ERR_FILE_NOT_FOUND']);
});

test('bad input: clear codes, and one bad document refuses the whole batch before anything is written', async () => {
  const corrupt = BAD_INPUTS.corruptPdf();
  const r = await submitBatch(api, [pdf(1), { data: corrupt.data, name: corrupt.name }], { batch_id: 'has-a-bad-one' });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'OCRFLOW_ERR_CORRUPT_FILE');
  assert.equal(r.body.error.details?.position, 2);
  assert.equal((await api.json(`/v1/batches/has-a-bad-one`)).status, 404, 'no batch was written');
  assert.equal((await api.json<{ jobs: unknown[] }>('/v1/jobs?task_id=has-a-bad-one%231')).body.jobs.length, 0, 'no job was written');

  // A task_id already taken (by the paths test's batch) would stop the batch half-written: refused before anything is written.
  const taken = await submitBatch(api, [pdf(1), pdf(2)], { batch_id: 'takes-a-task-id', task_ids: 'fresh-1,inv-b' });
  assert.deepEqual([taken.status, taken.body.error.code, taken.body.error.details?.position], [409, 'OCRFLOW_ERR_TASK_ID_CONFLICT', 2]);
  assert.equal((await api.json(`/v1/batches/takes-a-task-id`)).status, 404, 'no batch was written');
  assert.equal((await api.json<{ jobs: unknown[] }>('/v1/jobs?task_id=fresh-1')).body.jobs.length, 0, 'no job was written');

  const none = await submitBatch(api, [], { batch_id: 'empty' });
  assert.deepEqual([none.status, none.body.error.code], [400, 'OCRFLOW_ERR_MISSING_FILE']);
  const wrongCount = await submitBatch(api, [pdf(1)], { task_ids: '["a","b"]' });
  assert.deepEqual([wrongCount.status, wrongCount.body.error.code], [400, 'OCRFLOW_ERR_VALIDATION']);
  const badField = await submitBatch(api, [pdf(1)], { engine: 'nonsense' });
  assert.deepEqual([badField.status, badField.body.error.code], [400, 'OCRFLOW_ERR_VALIDATION']);
  const badJson = await submitBatchPaths(api, { file_paths: 'not a list' });
  assert.equal(badJson.status, 400);
  const text = await api.json<{ error: { code: string } }>('/v1/batches', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  assert.equal(text.body.error.code, 'OCRFLOW_ERR_UNSUPPORTED_MEDIA');
  const unknown = await api.json<{ error: { code: string } }>('/v1/batches/01ARZ3NDEKTSV4RRFFQ69G5FAV');
  assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'OCRFLOW_ERR_BATCH_NOT_FOUND']);
  const fmt = await api.json<{ error: { code: string } }>(`/v1/batches/scans-2026/results?format=docx`);
  assert.deepEqual([fmt.status, fmt.body.error.code], [400, 'OCRFLOW_ERR_UNSUPPORTED_FORMAT']);
});

test('cancel: documents not started are canceled, the running one ends; the batch ends and its webhook is sent once', async () => {
  const slow = { data: dataset(SLOW_TABLE), name: 'slow.png' };
  const r = await submitBatch(api, [slow, slow, pdf(1), pdf(2)], { webhook_url: `${hook.url}/canceled` });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const first = r.body.documents[0].job_id;
  await api.follow(first, { until: (e) => e.type === 'running' });
  const c = await api.json<{ batch: Batch; canceled: number }>(`/v1/batches/${r.body.batch.id}`, { method: 'DELETE' });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.canceled, 3);
  await followBatch(api, r.body.batch.id);
  const b = await getBatch(api, r.body.batch.id);
  assert.equal(b.state, 'ended');
  assert.deepEqual([b.counts.finished, b.counts.canceled], [1, 3], 'the running document was not stopped');
  assert.equal((await api.job(first)).status, 'finished');
  const [got] = await hook.waitFor('/canceled', 1);
  assert.equal((JSON.parse(got.body) as { counts: Batch['counts'] }).counts.canceled, 3);
  const again = await api.json<{ canceled: number }>(`/v1/batches/${r.body.batch.id}`, { method: 'DELETE' });
  assert.deepEqual([again.status, again.body.canceled], [200, 0]);
  assert.equal(hook.at('/canceled').length, 1);
});

test('a 30-document batch does not starve a single job submitted after it', async () => {
  const docs = Array.from({ length: 30 }, (_, i) => ({ data: dataset(SMALL_TABLE), name: `d${i}.png` }));
  const r = await submitBatch(api, docs, { mode: 'text' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const single = await api.submit(dataset(SMALL_TABLE), 'single.png', { mode: 'text', task_id: 'after-the-batch' });
  const done = await api.waitDone(single.id);
  const atSingleEnd = await getBatch(api, r.body.batch.id);
  assert.notEqual(atSingleEnd.state, 'ended', 'the single job finished before the batch');
  await followBatch(api, r.body.batch.id);
  const b = await getBatch(api, r.body.batch.id);
  assert.deepEqual([b.state, b.counts.finished], ['ended', 30]);
  // Order, not time: every batch document that had not started when the single job was accepted started after it.
  const accepted = Date.parse(single.created_at as string);
  const singleStart = Date.parse(done.started_at as string);
  const starts = await Promise.all(r.body.documents.map(async (d) => Date.parse((await api.job(d.job_id)).started_at as string)));
  const waiting = starts.filter((t) => t > accepted);
  assert.ok(waiting.length >= 25, `${waiting.length} documents were still waiting`);
  // One document may start in between: the one the worker had already taken (BullMQ hands the
  // next job over as the previous one completes) when the single job reached the queue, a moment
  // after its row was committed. A queue that ignored priorities would run every waiting one first.
  const ranAhead = waiting.filter((t) => t < singleStart);
  assert.ok(ranAhead.length <= 1, `${ranAhead.length} batch documents queued before the single job ran ahead of it`);
  const docsPage = await api.json<{ documents: BatchDoc[]; next_after: number | null }>(`/v1/batches/${r.body.batch.id}/documents?limit=20`);
  assert.deepEqual([docsPage.body.documents.length, docsPage.body.next_after], [20, 20]);
});
