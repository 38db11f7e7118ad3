/**
 * The scaled shape end to end: 2 API and 2 worker processes (`ocrflow serve --role api`,
 * `--role worker --concurrency 1`) on PostgreSQL + Redis. 50 jobs (small images and 3-page PDFs,
 * mode text — real OCR) are submitted through API A with a webhook each and followed through API
 * B, by long-poll (all) and SSE (a few). A worker is killed with -9 in the middle of a PDF.
 *
 * Every job finishes exactly once (one `finished` event, pages neither lost nor redone), every
 * webhook is delivered (receiver on loopback), every long-poll stream reads seq 1, 2, 3, … with no
 * gap, and the processes left stop gracefully on SIGTERM.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { Api, readSse, type JobEvent } from '../helpers/api.helper.ts';
import { dataset, makePdf, SLOW_TABLE, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { Receiver } from '../helpers/receiver.helper.ts';
import { Cluster, CLUSTER_SECRET } from './helpers/cluster.helper.ts';
import { SKIP, until } from './helpers/scaled.helper.ts';

const JOBS = 50;
const PDFS = 6;
let cluster: Cluster | null = null;
let rx: Receiver | null = null;
after(async () => {
  await cluster?.stop();
  await rx?.close();
});

const isPage = (e: JobEvent) => e.type === 'running' && e.phase === 'page';

test('2 API + 2 worker processes, 50 jobs, kill -9 of a worker mid-job: nothing lost, nothing doubled', { skip: SKIP, timeout: 600_000 }, async () => {
  rx = await Receiver.start();
  // A short lease: the killed worker's job comes back within seconds. Webhook attempts time out
  // quickly so a delivery the dead process had in flight is retried soon too.
  cluster = new Cluster('cluster', {
    OCRFLOW_LEASE_MS: '3000',
    OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1',
    OCRFLOW_WEBHOOK_TIMEOUT_MS: '5000',
    OCRFLOW_WEBHOOK_SCHEDULE: '1s,2s,5s',
  });
  const apiA = await cluster.start('api');
  const apiB = await cluster.start('api');
  const workers = [
    await cluster.start('worker', { env: { OCRFLOW_PUBLIC_URL: apiA.url } }),
    await cluster.start('worker', { env: { OCRFLOW_PUBLIC_URL: apiA.url } }),
  ];
  const a = new Api(apiA.url);
  const b = new Api(apiB.url);

  const slow = dataset(SLOW_TABLE);
  const pdf = makePdf([{ image: slow }, { image: slow }, { image: slow }]);
  const small = dataset(SMALL_TABLE);
  const ids: string[] = [];
  const pdfIds = new Set<string>();
  for (let i = 0; i < JOBS; i++) {
    // PDFs early, so one is sure to be mid-way when the worker is killed.
    const isPdf = i % 4 === 0 && pdfIds.size < PDFS;
    const job = await a.submit(isPdf ? pdf : small, isPdf ? `doc-${i}.pdf` : `img-${i}.png`, {
      mode: 'text',
      task_id: `cluster-${i}`,
      webhook_url: `${rx.url}/hook`,
    });
    ids.push(job.id);
    if (isPdf) pdfIds.add(job.id);
  }

  // Follow every job through the other API: long-poll from the start, plus SSE for a few.
  const polled = new Map<string, JobEvent[]>();
  const following = Promise.all(ids.map(async (id) => polled.set(id, await b.follow(id, { maxMs: 500_000 }))));
  const sseIds = [...pdfIds].slice(0, 2).concat(ids.slice(-1));
  const streams = Promise.all(sseIds.map((id) => readSse(`${apiB.url}/v1/jobs/${id}/events`, {}, { maxMs: 500_000 })));

  // Kill the first worker seen in the middle of a PDF with -9: one page stored, two left (so it
  // cannot finish the job in the moment between this query and the kill).
  const { victim, pid } = await until(
    'a worker mid-way through a PDF',
    async () => {
      const rows = await cluster!.sql<{ id: string; lease_owner: string }>(
        `SELECT id, lease_owner FROM jobs WHERE status = 'running' AND done_pages = 1 AND page_count = 3`,
      );
      return rows.length ? { victim: rows[0].id, pid: Number(rows[0].lease_owner.split(':').at(-2)) } : null;
    },
    300_000,
  );
  const killed = workers.find((w) => w.child.pid === pid);
  assert.ok(killed, `the job's lease owner ${pid} is one of the workers`);
  await killed.kill('SIGKILL');

  await following;
  const sse = await streams;

  for (const id of ids) {
    const events = polled.get(id)!;
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      `long-poll of ${id}: seq contiguous from 1`,
    );
    assert.equal(events.filter((e) => e.type === 'finished').length, 1, `${id} finished exactly once`);
    assert.equal(events.filter((e) => e.type === 'failed').length, 0, `${id} never failed`);
    assert.equal(events.at(-1)?.type, 'finished');
    const pages = events
      .filter(isPage)
      .map((e) => e.page as number)
      .sort();
    assert.deepEqual(pages, pdfIds.has(id) ? [1, 2, 3] : [1], `${id}: every page recognised once`);
  }
  sse.forEach((s, i) => {
    assert.ok(s.ended, 'the SSE stream ended after the terminal event');
    const seqs = s.events.map((e) => Number(e.id));
    assert.deepEqual(
      seqs,
      polled.get(sseIds[i])!.map((e) => e.seq),
      'SSE saw the same events as the long-poll',
    );
  });

  // The killed worker's job went back to the queue when its lease expired and resumed elsewhere.
  const v = await b.job(victim);
  assert.equal(v.status, 'finished');
  assert.equal(v.attempts, 2);
  assert.deepEqual(
    polled
      .get(victim)!
      .filter((e) => e.type === 'queued')
      .map((e) => e.reason),
    ['submitted', 'lease_expired'],
  );
  const doc = (await (await b.fetch(`/v1/jobs/${victim}/result?format=json`)).json()) as { pages: { index: number }[] };
  assert.deepEqual(
    doc.pages.map((p) => p.index),
    [0, 1, 2],
    'the result has each page once',
  );

  // Every job's webhook was delivered (at least once; a resend keeps its webhook-id), correctly signed.
  const wh = new Webhook(CLUSTER_SECRET);
  await until('every webhook', () => new Set(rx!.at('/hook').map((r) => (JSON.parse(r.body) as { job_id: string }).job_id)).size === JOBS, 120_000);
  const byJob = new Map<string, Set<string>>();
  for (const r of rx.at('/hook')) {
    const body = wh.verify(r.body, r.headers) as { job_id: string; status: string; result_url: string };
    assert.equal(body.status, 'finished');
    // Sent by whichever process's dispatcher claimed it: an API's own URL, or OCRFLOW_PUBLIC_URL (A) from a worker.
    assert.ok(
      [apiA.url, apiB.url].some((u) => body.result_url.startsWith(`${u}/v1/jobs/${body.job_id}/result`)),
      body.result_url,
    );
    (byJob.get(body.job_id) ?? byJob.set(body.job_id, new Set()).get(body.job_id)!).add(r.headers['webhook-id']);
  }
  assert.deepEqual([...byJob.keys()].sort(), [...ids].sort());
  for (const [id, msgIds] of byJob) assert.equal(msgIds.size, 1, `${id}: one webhook message (repeats carry the same webhook-id)`);
  for (const id of [victim, ...ids.slice(0, 5)]) {
    const d = (await b.json<{ deliveries: { state: string }[] }>(`/v1/jobs/${id}/deliveries`)).body.deliveries;
    assert.deepEqual(
      d.map((x) => x.state),
      ['delivered'],
    );
  }

  // Both APIs agree; nothing is left waiting; the survivors stop gracefully.
  const health = (await (await fetch(`${apiA.url}/health`)).json()) as { queue_len: number; store: string; queue: string };
  assert.deepEqual([health.queue_len, health.store, health.queue], [0, 'postgres', 'bullmq']);
  const counts = await cluster.sql<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM jobs GROUP BY status`);
  assert.deepEqual(
    counts.map((c) => [c.status, Number(c.n)]),
    [['finished', JOBS]],
  );
  const codes = await cluster.stop();
  cluster = null;
  assert.deepEqual(codes, [0, 0, ...workers.map((w) => (w === killed ? null : 0))], 'the APIs and the surviving worker exit 0 on SIGTERM');
});
