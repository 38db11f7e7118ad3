/**
 * Hostile clients, part 2: requests built to break things. FIFOs and other non-files as
 * `file_path`, webhook URLs with credentials or IPv4-compatible IPv6 targets, prototype names as
 * `?format`, guessed tokens and mangled paths. Every answer is a 4xx with a stable code, never a
 * 500 or a hang (each request carries its own time-out), and the server keeps serving.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Api, type ErrorBody, type Job } from '../helpers/api.helper.ts';
import { dataset, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { startTestServer, tempDataDir, type TestServer } from '../helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
let base: string;
let inbox: string;
let job: Job;
const TOKEN = 'right-token';
/** Valid, but never used before the guessing starts. */
const OTHER_TOKEN = 'other-token';
/** Any single request here answers well within this, or the test fails instead of hanging. */
const REQUEST_MS = 10_000;

before(async () => {
  base = tempDataDir();
  inbox = path.join(base, 'inbox');
  fs.mkdirSync(inbox);
  fs.writeFileSync(path.join(inbox, 'table.png'), dataset(SMALL_TABLE));
  execFileSync('mkfifo', [path.join(inbox, 'pipe.png')]);
  fs.symlinkSync(path.join(inbox, 'pipe.png'), path.join(inbox, 'link-to-pipe.png'));
  srv = await startTestServer({ startWorkers: false, env: { OCRFLOW_TOKENS: `${TOKEN},${OTHER_TOKEN}`, OCRFLOW_INPUT_DIRS: inbox } });
  api = new Api(srv.url, TOKEN);
  job = await api.submit(dataset(SMALL_TABLE), 'table.png');
});
after(async () => {
  await srv.close();
  fs.rmSync(base, { recursive: true, force: true });
});

const post = (p: string, body: unknown) =>
  api.json<ErrorBody & { task_id?: string }>(p, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(REQUEST_MS),
  });

test('a FIFO (directly or through a symlink) as file_path is refused with 400 at once, and uploads keep working', async () => {
  // More concurrent attempts than libuv has pool threads: before the fix each open blocked one.
  const attempts = Array.from({ length: 6 }, (_, i) =>
    i % 2
      ? post('/api/start', { file_path: path.join(inbox, 'pipe.png'), prompt: 'x' })
      : post('/v1/jobs', { file_path: path.join(inbox, 'link-to-pipe.png') }),
  );
  for (const r of await Promise.all(attempts)) {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'OCRFLOW_ERR_NOT_REGULAR_FILE');
    assert.match(r.body.error.message, /not a regular file/);
  }
  // A server that did open the FIFO would still be blocked in open(2): a writer releases it, so
  // that even then the rest of the suite runs (and fails on its own) instead of hanging.
  releaseFifo(path.join(inbox, 'pipe.png'));
  const ok = await post('/v1/jobs', { file_path: path.join(inbox, 'table.png') });
  assert.equal(ok.status, 202, JSON.stringify(ok.body));
  const upload = await api.submitRaw(dataset(SMALL_TABLE), 'again.png', { task_id: 'after-fifo' });
  assert.equal(upload.status, 202);
});

function releaseFifo(fifo: string): void {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  } catch {
    /* ENXIO: nobody is reading it, which is the expected case */
  }
}

test('a webhook URL with user-info is refused at submit (400) and its password is never echoed', async () => {
  const secret = 'hunter2-pw';
  const before = (await api.json<{ jobs: Job[] }>('/v1/jobs?limit=100')).body.jobs.length;
  for (const url of [`http://user:${secret}@example.com/hook`, `https://${secret}@example.com/hook`]) {
    const r = await api.submitRaw(dataset(SMALL_TABLE), 'hook.png', { webhook_url: url });
    assert.deepEqual([r.status, r.body.error.code], [400, 'OCRFLOW_ERR_WEBHOOK_URL_REFUSED'], JSON.stringify(r.body));
    assert.doesNotMatch(JSON.stringify(r.body), new RegExp(secret));
    const compat = await post('/api/start', { file_path: path.join(inbox, 'table.png'), prompt: 'x', webhook_url: url });
    assert.equal(compat.status, 400, JSON.stringify(compat.body));
    assert.doesNotMatch(JSON.stringify(compat.body), new RegExp(secret));
  }
  const jobs = (await api.json<{ jobs: Job[] }>('/v1/jobs?limit=100')).body.jobs;
  assert.equal(jobs.length, before, 'nothing stored');
  assert.doesNotMatch(JSON.stringify(jobs), new RegExp(secret));
});

test('IPv4-compatible IPv6 webhook targets are refused like the IPv4-mapped forms', async () => {
  for (const url of [
    'http://[::127.0.0.1]/hook',
    'http://[::169.254.169.254]/latest/meta-data',
    'http://[::10.0.0.1]:8080/x',
    'http://[::ffff:127.0.0.1]/hook',
  ]) {
    const r = await api.submitRaw(dataset(SMALL_TABLE), 'hook.png', { webhook_url: url });
    assert.deepEqual([r.status, r.body.error.code], [400, 'OCRFLOW_ERR_WEBHOOK_URL_REFUSED'], `${url}: ${JSON.stringify(r.body)}`);
  }
});

test('?format names of Object.prototype members answer 400, not 500', async () => {
  for (const format of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
    const r = await api.json<ErrorBody>(`/v1/jobs/${job.id}/result?format=${format}&partial=true`, { signal: AbortSignal.timeout(REQUEST_MS) });
    assert.deepEqual([r.status, r.body.error.code], [400, 'OCRFLOW_ERR_UNSUPPORTED_FORMAT'], `${format}: ${JSON.stringify(r.body)}`);
  }
  const good = await api.fetch(`/v1/jobs/${job.id}/result?format=markdown&partial=true`);
  assert.equal(good.status, 200);
});

test('guessed tokens: 401 each, then 429 for the address on every surface; a token that worked from there keeps working, a new one does not', async () => {
  const routes = ['/v1/jobs', `/v1/jobs/${job.id}`, `/longpoll/jobs/${job.id}?timeout_ms=1`, `/api/progress/${job.id}`, '/api/v1/tasks'];
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) {
    const p = routes[i % routes.length];
    const r = await fetch(srv.url + p, { headers: { authorization: `Bearer guess-${i}-${'x'.repeat(i)}` }, signal: AbortSignal.timeout(REQUEST_MS) });
    assert.equal(r.headers.get('connection'), 'close', `${p}: a refused request does not keep its connection`);
    const body = (await r.json()) as ErrorBody & { code?: string };
    const code = body.error?.code ?? body.code;
    assert.equal(code, r.status === 401 ? 'OCRFLOW_ERR_UNAUTHORIZED' : 'OCRFLOW_ERR_TOO_MANY_ATTEMPTS', p);
    if (r.status === 429) assert.ok(Number(r.headers.get('retry-after')) >= 1);
    statuses.push(r.status);
  }
  // The limit (10 a minute) counts across the service API, the compatibility routes and the workbench.
  assert.deepEqual(statuses, [...Array(10).fill(401), ...Array(15).fill(429)]);
  // The token this client has been using all along is not locked out, on any surface ...
  for (const p of routes)
    assert.ok((await api.fetch(p, { signal: AbortSignal.timeout(REQUEST_MS) }).then(async (r) => (await r.arrayBuffer(), r.status))) < 400, p);
  // ... but a token never used from this address is refused like a guess while the limit holds.
  const fresh = await new Api(srv.url, OTHER_TOKEN).json<ErrorBody>('/v1/jobs');
  assert.deepEqual([fresh.status, fresh.body.error.code], [429, 'OCRFLOW_ERR_TOO_MANY_ATTEMPTS']);
  // No token at all is not a guess: still a plain 401.
  assert.equal((await fetch(`${srv.url}/v1/jobs`)).status, 401);
});

test('mangled paths and ids: a 4xx with a stable code, never a 500', async () => {
  const paths = [
    '/v1/jobs/..%2F..%2Fetc%2Fpasswd',
    '/v1/jobs/%00',
    `/v1/jobs/${'a'.repeat(5000)}`,
    '/v1/jobs/__proto__',
    '/v1/jobs/constructor/result?format=json',
    '/result/json/jobs/..%2f..%2f',
    '/api/result/__proto__',
    '/v1/jobs/x/events?since_seq=-1',
    '/v1/jobs/x/events?timeout_ms=99999999',
  ];
  for (const p of paths) {
    const r = await api.fetch(p, { signal: AbortSignal.timeout(REQUEST_MS) });
    const text = await r.text();
    assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status} ${text.slice(0, 200)}`);
    assert.match(JSON.parse(text).error.code, /^OCRFLOW_ERR_/, p);
  }
  assert.equal((await fetch(`${srv.url}/health`)).status, 200);
});
