/** Long-poll and server-sent events: immediate answers, waiting, timeouts, since_seq, max_events, Last-Event-ID. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemoryEventBus } from '../src/adapters/memory.bus.ts';
import { Api, readSse, type ErrorBody, type Job } from './helpers/api.helper.ts';
import { dataset, SMALL_TABLE } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
const img = dataset(SMALL_TABLE);
/**
 * Listeners on one job's events (other features may listen on '*'). Only the in-process bus can
 * count them; on other backends these checks are skipped.
 */
function assertListeners(jobId: string, n: number, msg?: string) {
  const bus = srv.service.adapters.bus as Partial<MemoryEventBus>;
  if (typeof bus.listenerCount === 'function') assert.equal(bus.listenerCount(jobId), n, msg);
}
async function waitNoListeners(jobId: string) {
  const bus = srv.service.adapters.bus as Partial<MemoryEventBus>;
  for (let i = 0; i < 50 && typeof bus.listenerCount === 'function' && bus.listenerCount(jobId) > 0; i++) await sleep(20);
  assertListeners(jobId, 0);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  srv = await startTestServer({ startWorkers: false, env: { OCRFLOW_SSE_HEARTBEAT_MS: '150' } });
  api = new Api(srv.url);
});
after(() => srv.close());

test('long-poll answers at once when events exist after since_seq', async () => {
  const job = await api.submit(img, 'a.png');
  const t0 = Date.now();
  const p = await api.poll(job.id, { since_seq: 0, timeout_ms: 30_000 });
  assert.ok(Date.now() - t0 < 25_000, 'did not wait for the timeout');
  assert.equal(p.events.length, 1);
  assert.deepEqual([p.events[0].seq, p.events[0].type, p.events[0].job_id, p.events[0].status], [1, 'queued', job.id, 'queued']);
  assert.equal(p.last_seq, 1);
  assert.equal(p.done, false);
});

test('long-poll waits for the next event, and returns it with done once terminal', async () => {
  const job = await api.submit(img, 'b.png');
  const t0 = Date.now();
  const pending = api.poll(job.id, { since_seq: 1, timeout_ms: 30_000 });
  await sleep(300);
  assertListeners(job.id, 1, 'the waiting poll listens on the bus');
  await api.fetch(`/v1/jobs/${job.id}`, { method: 'DELETE' });
  const p = await pending;
  const waited = Date.now() - t0;
  assert.ok(waited >= 250 && waited < 25_000, `waited ${waited} ms`);
  assert.deepEqual(
    p.events.map((e) => [e.seq, e.type]),
    [[2, 'canceled']],
  );
  assert.equal(p.last_seq, 2);
  assert.equal(p.done, true);
  assertListeners(job.id, 0, 'unsubscribed after answering');
  // Polling a done job past its last event returns at once, done.
  const after = await api.poll(job.id, { since_seq: 2, timeout_ms: 30_000 });
  assert.deepEqual([after.events.length, after.last_seq, after.done], [0, 2, true]);
});

test('long-poll times out with no events and keeps since_seq as last_seq', async () => {
  const job = await api.submit(img, 'c.png');
  const t0 = Date.now();
  const p = await api.poll(job.id, { since_seq: 1, timeout_ms: 300 });
  assert.ok(Date.now() - t0 >= 280);
  assert.deepEqual(p, { events: [], last_seq: 1, done: false });
  const beyond = await api.poll(job.id, { since_seq: 99, timeout_ms: 0 });
  assert.deepEqual(beyond, { events: [], last_seq: 99, done: false });
});

test('max_events pages through the events; done only with the last one', async () => {
  const job = await api.submit(img, 'd.png');
  for (let i = 0; i < 2; i++) {
    await api.fetch(`/v1/jobs/${job.id}`, { method: 'DELETE' });
    await api.fetch(`/v1/jobs/${job.id}/retry`, { method: 'POST' });
  }
  await api.fetch(`/v1/jobs/${job.id}`, { method: 'DELETE' }); // seq: queued, canceled, queued, canceled, queued, canceled
  const p1 = await api.poll(job.id, { since_seq: 0, max_events: 4, timeout_ms: 0 });
  assert.deepEqual(
    p1.events.map((e) => e.seq),
    [1, 2, 3, 4],
  );
  assert.equal(p1.done, false);
  const p2 = await api.poll(job.id, { since_seq: p1.last_seq, max_events: 4, timeout_ms: 0 });
  assert.deepEqual(
    p2.events.map((e) => e.seq),
    [5, 6],
  );
  assert.deepEqual(
    p2.events.map((e) => e.type),
    ['queued', 'canceled'],
  );
  assert.equal(p2.events[0].reason, 'retry');
  assert.equal(p2.done, true);
});

test('bad long-poll parameters and unknown jobs are JSON errors', async () => {
  const job = await api.submit(img, 'e.png');
  for (const q of ['since_seq=-1', 'max_events=0', 'timeout_ms=9999999', 'since_seq=abc']) {
    const r = await api.json<ErrorBody>(`/v1/jobs/${job.id}/events?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.code, 'OCRFLOW_ERR_VALIDATION', q);
  }
  const r = await api.json<ErrorBody>('/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/events?timeout_ms=5000');
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'OCRFLOW_ERR_JOB_NOT_FOUND');
});

test('a client that disconnects mid long-poll leaves no listener behind', async () => {
  const job = await api.submit(img, 'f.png');
  const ac = new AbortController();
  const pending = fetch(`${srv.url}/v1/jobs/${job.id}/events?since_seq=1&timeout_ms=30000`, { signal: ac.signal }).catch(() => null);
  await sleep(200);
  assertListeners(job.id, 1);
  ac.abort();
  await pending;
  await waitNoListeners(job.id);
});

test('SSE: past events of a finished job, then the stream ends; ids are seqs', async () => {
  const job = await api.submit(img, 'g.png');
  await api.fetch(`/v1/jobs/${job.id}`, { method: 'DELETE' });
  const s = await readSse(`${srv.url}/v1/jobs/${job.id}/events`, {});
  assert.equal(s.status, 200);
  assert.match(s.contentType ?? '', /text\/event-stream/);
  assert.equal(s.ended, true, 'the server closed the stream after the terminal event');
  assert.deepEqual(
    s.events.map((e) => [e.id, e.event]),
    [
      ['1', 'queued'],
      ['2', 'canceled'],
    ],
  );
  const data = JSON.parse(s.events[1].data) as { seq: number; type: string; job_id: string };
  assert.deepEqual([data.seq, data.type, data.job_id], [2, 'canceled', job.id]);
  // Resume after event 1 the way EventSource reconnects.
  const resumed = await readSse(`${srv.url}/v1/jobs/${job.id}/events`, { 'last-event-id': '1' });
  assert.deepEqual(
    resumed.events.map((e) => e.id),
    ['2'],
  );
  const bad = await api.json<ErrorBody>(`/v1/jobs/${job.id}/events`, { headers: { accept: 'text/event-stream', 'last-event-id': 'x' } });
  assert.equal(bad.status, 400);
});

test('SSE: live events with heartbeats while idle; unknown job is a JSON 404', async () => {
  const job = await api.submit(img, 'h.png');
  const reading = readSse(`${srv.url}/v1/jobs/${job.id}/events?since_seq=0`, {});
  await sleep(600);
  await api.fetch(`/v1/jobs/${job.id}`, { method: 'DELETE' });
  const s = await reading;
  assert.deepEqual(
    s.events.map((e) => e.event),
    ['queued', 'canceled'],
  );
  assert.ok(
    s.comments.some((c) => c.startsWith(': keep-alive')),
    'heartbeat comments while idle',
  );
  assert.equal(s.ended, true);
  const nf = await api.json<ErrorBody>('/v1/jobs/nope/events', { headers: { accept: 'text/event-stream' } });
  assert.equal(nf.status, 404);
  assert.equal(nf.body.error.code, 'OCRFLOW_ERR_JOB_NOT_FOUND');
  await waitNoListeners(job.id);
});

test('SSE follows a job through the workers to finished; long-poll and SSE agree', async () => {
  // Clear the jobs earlier tests left queued so the workers go straight to this one.
  const queued = await api.json<{ jobs: Job[] }>('/v1/jobs?status=queued&limit=100');
  for (const j of queued.body.jobs) await api.fetch(`/v1/jobs/${j.id}`, { method: 'DELETE' });
  const job: Job = await api.submit(img, 'live.png', { mode: 'text' });
  const reading = readSse(`${srv.url}/v1/jobs/${job.id}/events`, {});
  await srv.service.startWorkers();
  const s = await reading;
  const types = s.events.map((e) => e.event);
  assert.equal(types[0], 'queued');
  assert.equal(types.at(-1), 'finished');
  assert.ok(types.includes('running'));
  const pages = s.events
    .map((e) => JSON.parse(e.data) as { phase?: string; page?: number; done_pages?: number; total_pages?: number })
    .filter((e) => e.phase === 'page');
  assert.deepEqual(
    pages.map((e) => [e.page, e.done_pages, e.total_pages]),
    [[1, 1, 1]],
  );
  const lp = await api.poll(job.id, { timeout_ms: 0 });
  assert.deepEqual(
    lp.events.map((e) => String(e.seq)),
    s.events.map((e) => e.id),
  );
});
