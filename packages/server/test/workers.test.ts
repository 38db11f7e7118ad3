/**
 * Worker threads doing real OCR: cancel while running, partial results, retry resuming after the
 * last stored page, thread recycling, and a crashed thread (re-queued, then failed past the limit).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, type ErrorBody, type Job, type JobEvent } from './helpers/api.helper.ts';
import { dataset, makePdf, SMALL_TABLE } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
// Small real pages: enough time between page events to cancel or crash mid-job, fast overall.
const slowPage = { image: dataset(SMALL_TABLE) };
const isPage = (e: JobEvent) => e.type === 'running' && e.phase === 'page';

before(async () => {
  // No recycling here (it would race with the crash injections); recycling has its own servers below.
  srv = await startTestServer({ env: { OCRFLOW_JOB_MAX_ATTEMPTS: '2' } });
  api = new Api(srv.url);
});
after(() => srv.close());

/**
 * Make slot 0's thread die of an uncaught exception before its next page (terminating it from
 * outside mid-inference would abort the whole process: onnxruntime-node). Waits out a recycle in
 * progress, when the slot is briefly empty.
 */
async function crashThread(pool: NonNullable<TestServer['service']['services']['pool']>) {
  for (let i = 0; i < 200; i++) {
    const t = pool.threadOf(0);
    if (t?.alive && !t.retiring) return t.injectFault();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no live thread to crash');
}

let canceled: Job;
let pagesAtCancel = 0;

test('cancel a running job: it stops at a page boundary and the worker moves on', async () => {
  const job = await api.submit(makePdf([slowPage, slowPage, slowPage, slowPage]), 'four.pdf', { mode: 'text', task_id: 'four' });
  assert.equal(job.page_count, 4);
  const seen = await api.follow(job.id, { until: isPage });
  assert.deepEqual(
    seen.map((e) => e.type),
    ['queued', 'running', 'running'],
  );
  // Partial results are readable while it runs.
  const partial = await api.fetch(`/v1/jobs/${job.id}/result?format=json&partial=true`);
  assert.equal(partial.status, 200);
  assert.equal(partial.headers.get('x-ocrflow-partial'), 'true');
  const doc = (await partial.json()) as { pages: { index: number }[] };
  assert.ok(doc.pages.length >= 1 && doc.pages.length < 4);
  assert.equal(doc.pages[0].index, 0);
  const running = await api.job(job.id);
  assert.equal(running.status, 'running');
  assert.equal((await api.json<ErrorBody>(`/v1/jobs/${job.id}/result`)).body.error.code, 'OCRFLOW_ERR_RESULT_NOT_READY');

  const c = await api.json<Job>(`/v1/jobs/${job.id}`, { method: 'DELETE' });
  assert.equal(c.status, 200);
  assert.equal(c.body.status, 'canceled');
  pagesAtCancel = c.body.done_pages;
  // The worker is free again: a new job runs to the end.
  const next = await api.submit(dataset(SMALL_TABLE), 'next.png', { mode: 'text' });
  assert.equal((await api.waitDone(next.id)).status, 'finished');
  canceled = await api.job(job.id);
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.done_pages, pagesAtCancel, 'no page was stored after the cancel');
  const events = await api.poll(job.id, { timeout_ms: 0 });
  assert.equal(events.events.at(-1)?.type, 'canceled');
  assert.equal(events.done, true);
});

test('retry resumes after the last stored page', async () => {
  const r = await api.json<Job>(`/v1/jobs/${canceled.id}/retry`, { method: 'POST' });
  assert.equal(r.status, 202);
  const lastSeq = (await api.poll(canceled.id, { timeout_ms: 0 })).last_seq;
  const events = await api.follow(canceled.id, { since: lastSeq - 1 });
  const started = events.find((e) => e.type === 'running' && e.phase === 'started');
  assert.equal(started?.page, pagesAtCancel + 1, 'starts after the stored pages');
  assert.equal(started?.done_pages, pagesAtCancel);
  const pageEvents = events.filter(isPage);
  assert.deepEqual(
    pageEvents.map((e) => e.page),
    [1, 2, 3, 4].slice(pagesAtCancel),
    'only the missing pages were recognised',
  );
  const done = await api.job(canceled.id);
  assert.equal(done.status, 'finished');
  assert.equal(done.done_pages, 4);
  assert.equal(done.attempts, 2);
  const doc = (await (await api.fetch(`/v1/jobs/${canceled.id}/result?format=json`)).json()) as { pages: { index: number; source: string }[] };
  assert.deepEqual(
    doc.pages.map((p) => p.index),
    [0, 1, 2, 3],
  );
  assert.ok(doc.pages.every((p) => p.source === 'ocr'));
  const seqs = (await api.poll(canceled.id, { timeout_ms: 0, max_events: 1000 })).events.map((e) => e.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
    'no seq gaps or duplicates',
  );
});

test('a crashed worker thread re-queues only its job, which resumes and finishes', async () => {
  const pool = srv.service.services.pool!;
  const job = await api.submit(makePdf([slowPage, slowPage, slowPage, slowPage]), 'four.pdf', { mode: 'text' });
  await api.follow(job.id, { until: isPage });
  // Dies before its next page: three pages of slack for the message to arrive.
  await crashThread(pool);
  const events = await api.follow(job.id);
  const requeued = events.filter((e) => e.type === 'queued').map((e) => e.reason);
  assert.deepEqual(requeued, ['submitted', 'worker_crashed']);
  const done = await api.job(job.id);
  assert.equal(done.status, 'finished');
  assert.equal(done.attempts, 2);
  assert.equal(done.done_pages, 4);
  const all = (await api.poll(job.id, { timeout_ms: 0 })).events;
  assert.deepEqual(
    all
      .filter(isPage)
      .map((e) => e.page as number)
      .sort(),
    [1, 2, 3, 4],
    'pages stored before the crash were not redone',
  );
  for (let i = 0; i < 100 && !(await health()).worker_alive; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await health()).worker_alive, true, 'the crashed thread was replaced');
});

test('a job that keeps crashing its thread fails after OCRFLOW_JOB_MAX_ATTEMPTS; others are unaffected', async () => {
  const pool = srv.service.services.pool!;
  pool.injectFaults(0, 2);
  const job = await api.submit(makePdf([slowPage, slowPage]), 'doomed.pdf', { mode: 'text' });
  const final = await api.waitDone(job.id);
  assert.equal(final.status, 'failed');
  assert.equal(final.error?.code, 'OCRFLOW_ERR_WORKER_CRASHED');
  assert.equal(final.attempts, 2);
  const reasons = (await api.poll(job.id, { timeout_ms: 0 })).events.filter((e) => e.type === 'queued').map((e) => e.reason);
  assert.deepEqual(reasons, ['submitted', 'worker_crashed']);
  const other = await api.submit(dataset(SMALL_TABLE), 'bystander.png', { mode: 'text' });
  assert.equal((await api.waitDone(other.id)).status, 'finished');
});

async function health(): Promise<{ worker_alive: boolean }> {
  return (await (await fetch(`${srv.url}/health`)).json()) as { worker_alive: boolean };
}

for (const [setting, value, why] of [
  ['OCRFLOW_WORKER_RECYCLE_PAGES', '1', 'after every page'],
  // 64 MB is below any real process size: every page ends over the cap.
  ['OCRFLOW_WORKER_MAX_RSS_MB', '64', 'above the memory cap'],
]) {
  test(`${setting}=${value}: the thread is recycled ${why}, between pages, and the job goes on`, async () => {
    const other = await startTestServer({ env: { [setting]: value } });
    try {
      const otherApi = new Api(other.url);
      const spawned = other.service.services.pool!.spawned;
      const job = await otherApi.submit(makePdf([slowPage, slowPage, slowPage]), 'recycle.pdf', { mode: 'text' });
      const done = await otherApi.waitDone(job.id);
      assert.equal(done.status, 'finished');
      assert.equal(done.done_pages, 3);
      assert.equal(done.metrics.recycles, 2, 'after page 1 and page 2; the last page ends the job');
      assert.equal(other.service.services.pool!.spawned, spawned + 2);
      const pages = (await otherApi.poll(job.id, { timeout_ms: 0 })).events.filter(isPage).map((e) => e.page);
      assert.deepEqual(pages, [1, 2, 3], 'no page lost or redone across recycles');
    } finally {
      await other.close();
    }
  });
}
