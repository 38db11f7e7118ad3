/**
 * Every bad input gets a JSON error with a stable code, leaves no file and no row
 * behind, and the server keeps serving. A document that fails inside a worker fails only its job.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { FsBlobStore } from '../src/adapters/fs.blobs.ts';
import { Api, type ErrorBody, type Job } from './helpers/api.helper.ts';
import { BAD_INPUTS, dataset, SMALL_TABLE } from './helpers/fixtures.helper.ts';
import { startTestServer, tempDataDir, type TestServer } from './helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
let base: string;
let inputRoot: string;
let outside: string;
const MAX_MB = 0.05; // 52 428 bytes

before(async () => {
  base = tempDataDir();
  inputRoot = path.join(base, 'inbox');
  outside = path.join(base, 'private');
  fs.mkdirSync(path.join(inputRoot, 'sub'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(inputRoot, 'sub', 'table.png'), dataset(SMALL_TABLE));
  fs.writeFileSync(path.join(outside, 'secret.png'), dataset(SMALL_TABLE));
  fs.symlinkSync(path.join(outside, 'secret.png'), path.join(inputRoot, 'link.png'));
  fs.writeFileSync(path.join(inputRoot, 'big.png'), Buffer.alloc(80_000, 1));
  srv = await startTestServer({
    env: { OCRFLOW_MAX_UPLOAD_MB: String(MAX_MB), OCRFLOW_INPUT_DIRS: inputRoot, OCRFLOW_PPSTRUCTURE_URL: 'http://127.0.0.1:1', OCRFLOW_VLM_MAX_RETRIES: '0' },
  });
  api = new Api(srv.url);
});
after(async () => {
  await srv.close();
  fs.rmSync(base, { recursive: true, force: true });
});

/** Nothing half-written: no temporary upload, no job directory, no row; and the server still answers. */
async function assertNothingLeft(rowsBefore: number) {
  assert.equal(await (srv.service.adapters.blobs as FsBlobStore).tempCount(), 0, 'no temporary upload left');
  const jobsDir = path.join(srv.service.config.blobDirAbs, 'jobs');
  const dirs = fs.existsSync(jobsDir) ? fs.readdirSync(jobsDir).length : 0;
  assert.equal(dirs, rowsBefore, 'no job directory without a row');
  assert.equal(await rowCount(), rowsBefore, 'no job row');
  const h = await fetch(`${srv.url}/health`);
  assert.equal(h.status, 200);
}

async function rowCount(): Promise<number> {
  const r = await api.json<{ jobs: Job[] }>('/v1/jobs?limit=100');
  return r.body.jobs.length;
}

function assertNoInternals(body: unknown) {
  const s = JSON.stringify(body);
  assert.doesNotMatch(s, /\.ts:\d+|\bat [\w.<>]+ \(|node_modules|\/work\//, 'no stack traces or paths in answers');
}

const EXPECTED: Record<keyof typeof BAD_INPUTS, [number, string]> = {
  empty: [400, 'OCRFLOW_ERR_EMPTY_FILE'],
  truncatedJpeg: [422, 'OCRFLOW_ERR_CORRUPT_FILE'],
  corruptPng: [422, 'OCRFLOW_ERR_CORRUPT_FILE'],
  truncatedPdf: [422, 'OCRFLOW_ERR_CORRUPT_FILE'],
  corruptPdf: [422, 'OCRFLOW_ERR_CORRUPT_FILE'],
  textAsPng: [415, 'OCRFLOW_ERR_UNSUPPORTED_MEDIA'],
  pixelBomb: [422, 'OCRFLOW_ERR_IMAGE_TOO_LARGE'],
};

for (const [name, make] of Object.entries(BAD_INPUTS) as [keyof typeof BAD_INPUTS, () => { name: string; data: Buffer }][]) {
  test(`bad document: ${name} → ${EXPECTED[name].join(' ')}`, async () => {
    const before = await rowCount();
    const { name: filename, data } = make();
    const rss0 = process.memoryUsage().rss;
    const r = await api.submitRaw(data, filename, { task_id: `bad-${name}` });
    assert.equal(r.status, EXPECTED[name][0], JSON.stringify(r.body));
    assert.equal(r.body.error.code, EXPECTED[name][1]);
    assert.ok(r.body.error.message.length > 10);
    assertNoInternals(r.body);
    if (name === 'pixelBomb') {
      assert.deepEqual([r.body.error.details?.width, r.body.error.details?.height], [30000, 30000]);
      // 30000×30000 decoded would be ~900 MB; refused from the header, memory does not move.
      assert.ok(process.memoryUsage().rss - rss0 < 300 * 1024 * 1024);
    }
    await assertNothingLeft(before);
    // The task_id was not consumed by the refused upload.
    assert.equal((await api.json<{ jobs: Job[] }>(`/v1/jobs?task_id=bad-${name}`)).body.jobs.length, 0);
  });
}

test('over the size limit: 413, the temporary file is deleted, no row (fields before and after the file)', async () => {
  const before = await rowCount();
  const big = Buffer.concat([dataset(SMALL_TABLE), Buffer.alloc(60_000, 7)]);
  const r = await api.submitRaw(big, 'big.png', { task_id: 'too-big' });
  assert.equal(r.status, 413);
  assert.equal(r.body.error.code, 'OCRFLOW_ERR_PAYLOAD_TOO_LARGE');
  await assertNothingLeft(before);
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(big)]), 'big.png');
  fd.append('task_id', 'too-big-2');
  const r2 = await api.json<ErrorBody>('/v1/jobs', { method: 'POST', body: fd });
  assert.equal(r2.status, 413);
  await assertNothingLeft(before);
  // Just under the limit is accepted as far as size goes (then judged as a document).
  const under = await api.submitRaw(Buffer.alloc(Math.floor(MAX_MB * 1024 * 1024), 0x41), 'under.png');
  assert.equal(under.body.error.code, 'OCRFLOW_ERR_UNSUPPORTED_MEDIA');
});

test('malformed requests: bad JSON, empty JSON, wrong content type, missing or extra files, bad fields', async () => {
  const before = await rowCount();
  const cases: [RequestInit, number, string][] = [
    [{ body: '{"file_path": ', headers: { 'content-type': 'application/json' } }, 400, 'OCRFLOW_ERR_BAD_JSON'],
    [{ body: '', headers: { 'content-type': 'application/json' } }, 400, 'OCRFLOW_ERR_BAD_JSON'],
    [{ body: 'hello', headers: { 'content-type': 'text/plain' } }, 415, 'OCRFLOW_ERR_UNSUPPORTED_MEDIA'],
    [{ body: '{}', headers: { 'content-type': 'application/json' } }, 400, 'OCRFLOW_ERR_VALIDATION'],
  ];
  for (const [init, status, code] of cases) {
    const r = await api.json<ErrorBody>('/v1/jobs', { method: 'POST', ...init });
    assert.deepEqual([r.status, r.body.error.code], [status, code], JSON.stringify(init));
    assertNoInternals(r.body);
  }
  const onlyFields = new FormData();
  onlyFields.append('task_id', 'x');
  const noFile = await api.json<ErrorBody>('/v1/jobs', { method: 'POST', body: onlyFields });
  assert.deepEqual([noFile.status, noFile.body.error.code], [400, 'OCRFLOW_ERR_MISSING_FILE']);
  const two = new FormData();
  two.append('file', new Blob([new Uint8Array(dataset(SMALL_TABLE))]), 'a.png');
  two.append('file', new Blob([new Uint8Array(dataset(SMALL_TABLE))]), 'b.png');
  const twoFiles = await api.json<ErrorBody>('/v1/jobs', { method: 'POST', body: two });
  assert.deepEqual([twoFiles.status, twoFiles.body.error.code], [400, 'OCRFLOW_ERR_VALIDATION']);
  const img = dataset(SMALL_TABLE);
  for (const [fields, status, code] of [
    [{ engine: 'magic' }, 400, 'OCRFLOW_ERR_VALIDATION'],
    [{ mode: 'fast' }, 400, 'OCRFLOW_ERR_VALIDATION'],
    [{ webhook_url: 'ftp://example.com/x' }, 400, 'OCRFLOW_ERR_VALIDATION'],
    [{ languages: '!!' }, 400, 'OCRFLOW_ERR_VALIDATION'],
    [{ task_id: 'a\u0001b' }, 400, 'OCRFLOW_ERR_VALIDATION'],
    [{ engine: 'vlm' }, 503, 'OCRFLOW_ERR_ENGINE_UNAVAILABLE'],
  ] as [Record<string, string>, number, string][]) {
    const r = await api.submitRaw(img, 'a.png', fields);
    assert.deepEqual([r.status, r.body.error.code], [status, code], JSON.stringify(fields));
  }
  await assertNothingLeft(before);
});

test('unknown job ids and routes are 404 JSON', async () => {
  for (const id of ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'not-a-job', '..%2F..%2Fetc']) {
    for (const [method, suffix] of [
      ['GET', ''],
      ['DELETE', ''],
      ['POST', '/retry'],
      ['GET', '/result'],
      ['GET', '/events?timeout_ms=0'],
    ]) {
      const r = await api.json<ErrorBody>(`/v1/jobs/${id}${suffix}`, { method });
      assert.deepEqual([r.status, r.body.error.code], [404, 'OCRFLOW_ERR_JOB_NOT_FOUND'], `${method} ${id}${suffix}`);
    }
  }
  const route = await api.json<ErrorBody>('/v1/nothing-here');
  assert.deepEqual([route.status, route.body.error.code], [404, 'OCRFLOW_ERR_NOT_FOUND']);
});

test('file_path: only real paths under OCRFLOW_INPUT_DIRS', async () => {
  const before = await rowCount();
  const post = (file_path: string) =>
    api.json<Job & ErrorBody>('/v1/jobs', { method: 'POST', body: JSON.stringify({ file_path }), headers: { 'content-type': 'application/json' } });
  for (const p of [
    path.join(outside, 'secret.png'),
    path.join(inputRoot, '..', 'private', 'secret.png'),
    path.join(inputRoot, 'link.png'),
    '/etc/passwd',
    inputRoot,
  ]) {
    const r = await post(p);
    assert.deepEqual([r.status, r.body.error.code], [403, 'OCRFLOW_ERR_FORBIDDEN_PATH'], p);
    assertNoInternals(r.body);
  }
  const missing = await post(path.join(inputRoot, 'nope.png'));
  assert.deepEqual([missing.status, missing.body.error.code], [404, 'OCRFLOW_ERR_FILE_NOT_FOUND']);
  const dir = await post(path.join(inputRoot, 'sub'));
  assert.deepEqual([dir.status, dir.body.error.code], [400, 'OCRFLOW_ERR_NOT_REGULAR_FILE']);
  const relative = await post('sub/table.png');
  assert.deepEqual([relative.status, relative.body.error.code], [400, 'OCRFLOW_ERR_VALIDATION']);
  const big = await post(path.join(inputRoot, 'big.png'));
  assert.deepEqual([big.status, big.body.error.code], [413, 'OCRFLOW_ERR_PAYLOAD_TOO_LARGE']);
  await assertNothingLeft(before);
  const ok = await post(path.join(inputRoot, 'sub', '..', 'sub', 'table.png'));
  assert.equal(ok.status, 202, JSON.stringify(ok.body));
  assert.equal(ok.body.filename, 'table.png');
  assert.equal(ok.body.mime, 'image/png');
  // Gone from the source afterwards does not matter: the service keeps its own durable copy.
  assert.equal((await api.waitDone(ok.body.id)).status, 'finished');
});

test('file_path is refused entirely when no input roots are configured', async () => {
  const other = await startTestServer({ startWorkers: false });
  try {
    const r = await new Api(other.url).json<ErrorBody>('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ file_path: path.join(inputRoot, 'sub', 'table.png') }),
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual([r.status, r.body.error.code], [403, 'OCRFLOW_ERR_FORBIDDEN_PATH']);
  } finally {
    await other.close();
  }
});

test('a document whose engine fails marks only its own job failed, with a readable error', async () => {
  const img = dataset(SMALL_TABLE);
  const bad = await api.submit(img, 'remote.png', { engine: 'ppstructure' });
  const good = await api.submit(img, 'local.png', { mode: 'text' });
  const b = await api.waitDone(bad.id);
  assert.equal(b.status, 'failed');
  assert.ok(b.error && b.error.code.startsWith('OCRFLOW_ERR_'));
  assert.ok(b.error.message.length > 10);
  assertNoInternals(b.error);
  const events = await api.poll(bad.id, { timeout_ms: 0 });
  assert.equal(events.events.at(-1)?.type, 'failed');
  assert.deepEqual((events.events.at(-1)?.error as { code: string } | undefined)?.code, b.error.code);
  assert.equal((await api.waitDone(good.id)).status, 'finished');
  const res = await api.json<ErrorBody>(`/v1/jobs/${bad.id}/result`);
  assert.deepEqual([res.status, res.body.error.code], [409, 'OCRFLOW_ERR_RESULT_NOT_READY']);
  // The failed job can be retried (and fails again the same way, readable).
  const retry = await api.json<Job>(`/v1/jobs/${bad.id}/retry`, { method: 'POST' });
  assert.equal(retry.status, 202);
  assert.equal((await api.waitDone(bad.id)).status, 'failed');
});
