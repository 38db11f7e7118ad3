/** Auth, health, readiness, metrics, OpenAPI and queue capacity. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { grantMatcher } from '../src/index.ts';
import { Api, readSse, type ErrorBody, type Job } from './helpers/api.helper.ts';
import { dataset, SMALL_TABLE } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

let srv: TestServer;
const img = dataset(SMALL_TABLE);

before(async () => {
  srv = await startTestServer({ startWorkers: false, env: { OCRFLOW_TOKENS: 'tok-alpha,tok-beta-longer', OCRFLOW_QUEUE_MAX: '2' } });
});
after(() => srv.close());

test('token matcher: exact tokens only, whatever their length; the match names its tenant', () => {
  const m = grantMatcher([
    { token: 'abc', tenant: 'one', admin: false },
    { token: 'a-much-longer-token', tenant: 'two', admin: true },
  ]);
  assert.equal(m('abc')?.tenant, 'one');
  assert.equal(m('a-much-longer-token')?.admin, true);
  for (const bad of ['', 'ab', 'abcd', 'ABC', 'a-much-longer-toke', 'a-much-longer-token!']) assert.equal(m(bad), null, bad);
});

test('the job API needs a valid Bearer token: 401 JSON otherwise', async () => {
  const bad: Record<string, string>[] = [
    {},
    { authorization: 'Bearer nope' },
    { authorization: 'Bearer tok-alph' },
    { authorization: 'Basic dG9rLWFscGhhOg==' },
    { authorization: 'Bearer tok-alpha extra' },
  ];
  for (const headers of bad) {
    const r = await fetch(`${srv.url}/v1/jobs`, { headers });
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    assert.equal(((await r.json()) as ErrorBody).error.code, 'OCRFLOW_ERR_UNAUTHORIZED');
  }
  const upload = new FormData();
  upload.append('file', new Blob([new Uint8Array(img)]), 'a.png');
  const r = await fetch(`${srv.url}/v1/jobs`, { method: 'POST', body: upload, headers: { authorization: 'Bearer wrong' } });
  assert.equal(r.status, 401);
  assert.equal((await new Api(srv.url, 'tok-alpha').json<{ jobs: Job[] }>('/v1/jobs')).body.jobs.length, 0, 'the refused upload created nothing');
  const sse = await fetch(`${srv.url}/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/events`, { headers: { accept: 'text/event-stream' } });
  assert.equal(sse.status, 401);
  for (const token of ['tok-alpha', 'tok-beta-longer']) assert.equal((await new Api(srv.url, token).fetch('/v1/jobs')).status, 200);
});

test('health, ready, metrics, docs and the OpenAPI document are open', async () => {
  const h = await fetch(`${srv.url}/health`);
  assert.equal(h.status, 200);
  const body = (await h.json()) as { ok: boolean; queue_len: number; worker_alive: boolean; version: string; engines: string[]; ready: boolean };
  assert.equal(body.queue_len, 0);
  assert.equal(body.version, '0.1.0');
  assert.equal(body.ready, true);
  assert.ok(body.engines.includes('paddle'));
  assert.equal(body.worker_alive, false, 'workers were held back in this test');
  assert.equal(body.ok, false, 'not ok without live workers');
  assert.equal((await fetch(`${srv.url}/ready`)).status, 200);
  const docs = await fetch(`${srv.url}/docs/`);
  assert.equal(docs.status, 200);
  assert.match(await docs.text(), /swagger/i);
  const spec = (await (await fetch(`${srv.url}/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { content: Record<string, unknown> } }>>;
  };
  assert.match(spec.openapi, /^3\./);
  for (const p of ['/v1/jobs', '/v1/jobs/{id}', '/v1/jobs/{id}/events', '/v1/jobs/{id}/result', '/v1/jobs/{id}/retry', '/health', '/ready', '/metrics'])
    assert.ok(spec.paths[p], p);
  assert.deepEqual(Object.keys(spec.paths['/v1/jobs'].post.requestBody?.content ?? {}).sort(), ['application/json', 'multipart/form-data']);
  assert.deepEqual(spec.paths['/v1/jobs/{id}'].get.security, [{ bearer: [] }]);
  assert.equal(spec.paths['/health'].get.security, undefined);
});

test('queue full: 429 with Retry-After, nothing written', async () => {
  const api = new Api(srv.url, 'tok-alpha');
  await api.submit(img, 'a.png');
  await api.submit(img, 'b.png', { mode: 'text' });
  const r = await api.submitRaw(img, 'c.png', { task_id: 'overflow' });
  assert.equal(r.status, 429);
  assert.equal(r.body.error.code, 'OCRFLOW_ERR_QUEUE_FULL');
  const retryAfter = Number(r.res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`);
  assert.equal((await api.json<{ jobs: Job[] }>('/v1/jobs')).body.jobs.length, 2);
  const h = (await (await fetch(`${srv.url}/health`)).json()) as { queue_len: number };
  assert.equal(h.queue_len, 2);
});

test('metrics: jobs by status, queue length, HTTP and page histograms', async () => {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(text, /^ocrflow_jobs\{status="queued",tenant="t-[0-9a-f]{8}"\} 2$/m);
  assert.match(text, /^ocrflow_jobs\{status="finished",tenant="t-[0-9a-f]{8}"\} 0$/m);
  assert.match(text, /^ocrflow_queue_length 2$/m);
  assert.match(text, /^ocrflow_http_request_duration_seconds_count\{method="POST",route="\/v1\/jobs",status="202"\} 2$/m);
  assert.match(text, /^# TYPE ocrflow_page_duration_seconds histogram$/m);
  assert.match(text, /^ocrflow_process_resident_memory_bytes \d+/m);
});

test('not ready: /ready and the job API answer 503 until the store is ready', async () => {
  srv.service.services.state.accepting = false;
  try {
    const r = await fetch(`${srv.url}/ready`);
    assert.equal(r.status, 503);
    assert.equal(((await r.json()) as ErrorBody).error.code, 'OCRFLOW_ERR_NOT_READY');
    const j = await new Api(srv.url, 'tok-alpha').json<ErrorBody>('/v1/jobs');
    assert.deepEqual([j.status, j.body.error.code], [503, 'OCRFLOW_ERR_NOT_READY']);
    assert.equal((await fetch(`${srv.url}/health`)).status, 200, 'health still answers');
  } finally {
    srv.service.services.state.accepting = true;
  }
});

test('SSE with a token works like any other route', async () => {
  const api = new Api(srv.url, 'tok-alpha');
  const { jobs } = (await api.json<{ jobs: Job[] }>('/v1/jobs')).body;
  await api.fetch(`/v1/jobs/${jobs[0].id}`, { method: 'DELETE' });
  const s = await readSse(`${srv.url}/v1/jobs/${jobs[0].id}/events`, api.headers());
  assert.deepEqual(
    s.events.map((e) => e.event),
    ['queued', 'canceled'],
  );
});
