/**
 * kill -9 of the server in the middle of a 200-document batch (a real child process, real OCR on
 * every tenth document, text-layer PDFs between): after a restart every document ends exactly once,
 * no page is recognised twice, the batch's events have no gap, and its webhook is sent once. And
 * kill -9 while a batch is still being written: the same POST after the restart completes it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Api, type JobEvent } from './helpers/api.helper.ts';
import { scaledBackend } from './helpers/backend.helper.ts';
import { followBatch, getBatch, submitBatch } from './helpers/batch.helper.ts';
import { dataset, makePdf, SMALL_TABLE, textPage } from './helpers/fixtures.helper.ts';
import { Receiver } from './helpers/receiver.helper.ts';
import { spawnServer, tempDataDir, type ChildServer } from './helpers/server.helper.ts';
import { readZip } from './helpers/zip.helper.ts';

const DOCS = 200;
const dirs: string[] = [];
const children: ChildServer[] = [];
let hook: Receiver | null = null;
after(async () => {
  for (const c of children) if (c.child.exitCode === null) await c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  await hook?.close();
});

// With PostgreSQL + Redis a restarted process does not re-queue every running job at start-up; a
// dead worker's job comes back when its lease expires (short here).
const scaled = scaledBackend();

async function start(dataDir: string): Promise<ChildServer> {
  const c = await spawnServer(dataDir, { OCRFLOW_WORKERS: '1', OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1', ...(scaled ? { OCRFLOW_LEASE_MS: '3000' } : {}) });
  children.push(c);
  return c;
}

test(`kill -9 in the middle of a ${DOCS}-document batch: after restart nothing is lost or done twice, one webhook`, async () => {
  hook = await Receiver.start();
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  let srv = await start(dataDir);
  let api = new Api(srv.url);
  const files = Array.from({ length: DOCS }, (_, i) =>
    i % 10 === 0 ? { data: dataset(SMALL_TABLE), name: `scan-${i + 1}.png` } : { data: makePdf([textPage(i + 1), textPage(i + 2)]), name: `doc-${i + 1}.pdf` },
  );
  const r = await submitBatch(api, files, { batch_id: 'crash-batch', webhook_url: `${hook.url}/batch`, mode: 'text' });
  assert.equal(r.status, 202, JSON.stringify(r.body).slice(0, 500));
  const { batch, documents } = r.body;
  await followBatch(api, batch.id, { until: (e) => e.type === 'document_ended' && (e.ended as number) >= 30 });
  await srv.kill('SIGKILL');

  srv = await start(dataDir);
  api = new Api(srv.url);
  const mid = await getBatch(api, batch.id);
  assert.ok(mid.ended >= 30 && mid.ended < DOCS, `${mid.ended} documents had ended at the kill`);
  const events = await followBatch(api, batch.id);
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'batch events without gap or duplicate',
  );
  const ended = events.filter((e) => e.type === 'document_ended').map((e) => e.job_id as string);
  assert.equal(ended.length, DOCS, 'one document_ended per document');
  assert.equal(new Set(ended).size, DOCS, 'no document ended twice');
  assert.equal(events.filter((e) => e.type === 'ended').length, 1);

  const b = await getBatch(api, batch.id);
  assert.deepEqual([b.state, b.counts.finished, b.pages_done, b.pages_total], ['ended', DOCS, b.pages_total, DOCS / 10 + ((DOCS * 9) / 10) * 2]);
  for (const d of documents) {
    const p = await api.poll(d.job_id, { timeout_ms: 0, max_events: 1000 });
    const pages = p.events.filter((e: JobEvent) => e.type === 'running' && e.phase === 'page').map((e) => e.page as number);
    assert.equal(new Set(pages).size, pages.length, `a page of ${d.job_id} was recognised twice`);
    assert.equal(p.events.filter((e) => e.type === 'finished').length, 1, `${d.job_id} finished once`);
  }

  await hook.waitFor('/batch', 1, 60_000);
  const zip = readZip(Buffer.from(await (await api.fetch(`/v1/batches/${batch.id}/results?format=text`)).arrayBuffer()));
  assert.equal(zip.length, DOCS + 1);
  assert.match(zip.find((e) => e.name === '00002_doc-2.txt')?.data.toString('utf8') ?? '', /Page 3 line 8/);
  // The same POST after the restart finds the batch: nothing written twice.
  const again = await submitBatch(api, files, { batch_id: 'crash-batch', webhook_url: `${hook.url}/batch`, mode: 'text' });
  assert.deepEqual([again.status, again.body.batch.id], [200, batch.id]);
  assert.equal(hook.at('/batch').length, 1, 'the batch webhook was sent once');
  assert.equal(await srv.kill('SIGTERM'), 0);
});

test('kill -9 while the batch is being written: the same POST after the restart completes it, no document twice', async () => {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  let srv = await start(dataDir);
  let api = new Api(srv.url);
  const n = 120;
  const files = Array.from({ length: n }, (_, i) => ({ data: makePdf([textPage(i + 1)]), name: `w-${i + 1}.pdf` }));
  const post = submitBatch(api, files, { batch_id: 'half-written', mode: 'text' }).catch((e: unknown) => e);
  // Kill as soon as the batch exists and is still being written.
  let seen: { state: string; linked: number } | null = null;
  for (let i = 0; i < 2000 && !seen; i++) {
    const r = await api.json<{ state: string; id: string }>('/v1/batches/half-written');
    if (r.status === 200) {
      const docs = await api.json<{ documents: unknown[] }>(`/v1/batches/${r.body.id}/documents?limit=1000`);
      seen = { state: r.body.state, linked: docs.body.documents.length };
    } else await new Promise((res) => setTimeout(res, 20));
  }
  await srv.kill('SIGKILL');
  await post;
  assert.ok(seen, 'the batch was seen');
  assert.equal(seen.state, 'creating', 'killed while the batch was being written');
  assert.ok(seen.linked < n);

  srv = await start(dataDir);
  api = new Api(srv.url);
  const again = await submitBatch(api, files, { batch_id: 'half-written', mode: 'text' });
  assert.equal(again.status, 202, JSON.stringify(again.body).slice(0, 300));
  assert.equal(again.body.documents.length, n);
  assert.deepEqual(
    again.body.documents.map((d) => d.task_id),
    files.map((_, i) => `half-written#${i + 1}`),
  );
  assert.equal(new Set(again.body.documents.map((d) => d.job_id)).size, n, 'one job per document');
  const events = await followBatch(api, again.body.batch.id);
  assert.equal(events.at(-1)?.type, 'ended');
  const b = await getBatch(api, again.body.batch.id);
  assert.deepEqual([b.state, b.counts.finished, b.total], ['ended', n, n]);
  // Every job of the tenant is one of the batch's: nothing was written twice.
  let count = 0;
  for (let cursor: string | null = null; ; ) {
    const page: { body: { jobs: unknown[]; next_cursor: string | null } } = await api.json(`/v1/jobs?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    count += page.body.jobs.length;
    cursor = page.body.next_cursor;
    if (!cursor) break;
  }
  assert.equal(count, n);
  assert.equal(await srv.kill('SIGTERM'), 0);
});
