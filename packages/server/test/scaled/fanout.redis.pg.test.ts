/**
 * Event fan-out over Redis. Bus level: an event published in one process reaches the
 * listeners of another (job events and workbench task changes), listeners in the publishing
 * process see it once, and nothing crosses deployments (Redis prefixes). Service level: an API
 * process (`--role api`) and a worker process (`--role worker`) of one deployment — a long-poll
 * and an SSE stream on the API are woken by the worker's events; cancel on the API stops the job
 * on the worker; the queue length is the shared one.
 */
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobEvent } from '../../src/index.ts';
import type { TaskChange } from '../../src/ports/task-bus.port.ts';
import type { QueueAdapters } from '../../src/adapters/adapters.factory.ts';
import { Api, readSse, type JobEvent as WireEvent } from '../helpers/api.helper.ts';
import { dataset, makePdf, SLOW_TABLE, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { startTestServer, tempDataDir, type TestServer } from '../helpers/server.helper.ts';
import { closeQueue, openQueue, openStore, scaledConfig, SKIP, until } from './helpers/scaled.helper.ts';

const opened: QueueAdapters[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const q of opened.splice(0)) await closeQueue(q);
});
after(async () => {
  for (const s of servers.splice(0).reverse()) await s.close();
});

async function processOf(key: string): Promise<QueueAdapters> {
  const config = scaledConfig(key);
  const store = await openStore(config);
  const q = await openQueue(config, store);
  opened.push({ ...q, closeConnections: async () => (await q.closeConnections?.(), await store.close()) });
  return q;
}

const event = (jobId: string, seq: number): JobEvent => ({ jobId, seq, type: 'running', status: 'running', createdAt: Date.now(), data: { seq } });

test('a job event published in one process reaches the listeners of the others, once each', { skip: SKIP }, async () => {
  const [a, b, c] = [await processOf('fanout'), await processOf('fanout'), await processOf('fanout')];
  const other = await processOf('fanout-other-deployment');
  const seen = { a: [] as number[], b: [] as number[], bAll: [] as string[], c: [] as number[], other: 0 };
  a.bus.subscribe('job-1', (e) => seen.a.push(e.seq));
  b.bus.subscribe('job-1', (e) => seen.b.push(e.seq));
  b.bus.subscribe('*', (e) => seen.bAll.push(`${e.jobId}:${e.seq}`));
  c.bus.subscribe('job-1', (e) => seen.c.push(e.seq));
  other.bus.subscribe('*', () => seen.other++);
  await a.bus.publish(event('job-1', 1));
  await a.bus.publish(event('job-2', 1));
  await b.bus.publish(event('job-1', 2));
  await until('both events everywhere', () => seen.c.length === 2 && seen.a.length === 2 && seen.b.length === 2);
  // c heard both after a and b published them; by then any echo to their publishers would have come too.
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(seen.a, [1, 2], "the publisher hears its own event once (in-process), the other process's once");
  assert.deepEqual(seen.b.sort(), [1, 2]);
  assert.deepEqual(seen.bAll.sort(), ['job-1:1', 'job-1:2', 'job-2:1']);
  assert.equal(seen.other, 0, 'another deployment (Redis prefix) hears nothing');
  assert.ok((a.bus.recheckMs ?? 0) > 0, 'waiting listeners re-read the store now and then: pub/sub can drop messages');
});

test('workbench task changes fan out the same way', { skip: SKIP }, async () => {
  const [a, b] = [await processOf('fanout'), await processOf('fanout')];
  const got: TaskChange[] = [];
  b.taskBus!.subscribe('task-9', (t) => got.push(t));
  await a.taskBus!.publish({ taskId: 'task-9', status: 'ocr_done', updatedAt: 42 });
  await until('the change', () => got.length === 1);
  assert.deepEqual(got[0], { taskId: 'task-9', status: 'ocr_done', updatedAt: 42 });
});

test('API process + worker process: long-poll and SSE on the API follow a job the worker runs; cancel reaches the worker', { skip: SKIP }, async () => {
  const dataDir = tempDataDir();
  // One deployment (same data dir → same schema and Redis prefix), two processes by role.
  const apiSrv = await startTestServer({ dataDir, env: { OCRFLOW_ROLE: 'api' } });
  servers.push(apiSrv);
  const worker = await startTestServer({ dataDir, env: { OCRFLOW_ROLE: 'worker', OCRFLOW_WORKERS: '1' } });
  servers.push(worker);
  assert.equal(apiSrv.service.services.runner, null, 'the API process runs no jobs');
  assert.equal(apiSrv.service.services.workbench, undefined, '--role api serves the OCR service API only');
  const api = new Api(apiSrv.url);
  const health = (await (await fetch(`${apiSrv.url}/health`)).json()) as { store: string; queue: string; role: string; worker_alive: boolean };
  assert.deepEqual([health.store, health.queue, health.role], ['postgres', 'bullmq', 'api']);

  const job = await api.submit(dataset(SMALL_TABLE), 'small.png', { mode: 'text' });
  // The API has no workers of its own, but sees the worker process's (once it took its first job it is connected).
  const seen = await until('a worker process on /health', async () => {
    const h = (await (await fetch(`${apiSrv.url}/health`)).json()) as { worker_alive: boolean; workers: { processes?: number } };
    return h.worker_alive ? h : null;
  });
  assert.equal(seen.workers.processes, 1);
  // Long-poll on the API for the event after `queued`: only the worker can produce it.
  const polled = await api.poll(job.id, { since_seq: 1, timeout_ms: 30_000 });
  assert.equal(polled.events[0]?.seq, 2);
  assert.equal(polled.events[0]?.type, 'running');
  const stream = await readSse(`${apiSrv.url}/v1/jobs/${job.id}/events`, {}, { maxMs: 60_000 });
  assert.ok(stream.ended, 'the stream ended after the terminal event');
  const sse = stream.events.map((e) => JSON.parse(e.data) as WireEvent);
  assert.deepEqual(
    sse.map((e) => e.seq),
    sse.map((_, i) => i + 1),
    'the stream has every event in order',
  );
  assert.equal(sse.at(-1)?.type, 'finished');

  // Cancel on the API while the worker is mid-job: the worker stops at the next page.
  const slow = dataset(SLOW_TABLE);
  const long = await api.submit(makePdf([{ image: slow }, { image: slow }, { image: slow }, { image: slow }]), 'long.pdf', { mode: 'text' });
  await api.follow(long.id, { until: (e) => e.type === 'running' && e.phase === 'page' });
  const canceled = await api.json<{ status: string }>(`/v1/jobs/${long.id}`, { method: 'DELETE' });
  assert.equal(canceled.body.status, 'canceled');
  await until('the worker let go of the job', () => worker.service.services.runner!.activeJobs === 0);
  const after = await api.job(long.id);
  assert.equal(after.status, 'canceled');
  assert.ok(after.done_pages < 4, 'the worker stopped before the end');
  assert.equal(((await (await fetch(`${apiSrv.url}/health`)).json()) as { queue_len: number }).queue_len, 0);
});

test('--role app serves the workbench and the service API without workers; --role worker answers only its health routes', { skip: SKIP }, async () => {
  const dataDir = tempDataDir();
  const app = await startTestServer({ dataDir, env: { OCRFLOW_ROLE: 'app' } });
  servers.push(app);
  assert.equal(app.service.services.runner, null);
  assert.ok(app.service.services.workbench, 'the workbench is there');
  const wb = (await (await fetch(`${app.url}/api/v1/ocr/health`)).json()) as { success: boolean; data: { ocr_service: string } };
  assert.equal(wb.data.ocr_service, 'embedded');
  assert.equal((await fetch(`${app.url}/v1/jobs`)).status, 200);

  const worker = await startTestServer({ dataDir, env: { OCRFLOW_ROLE: 'worker', OCRFLOW_HEALTH_PORT: '0' } });
  servers.push(worker);
  assert.equal(worker.service.app.server.listening, false, 'no HTTP without --health-port');
  const routes = worker.service.app.printRoutes({ commonPrefix: false });
  assert.match(routes, /health/);
  assert.doesNotMatch(routes, /jobs|api\/v1/, 'a worker serves no API');
});
