/**
 * Tenants, route by route: every route of the server's OpenAPI document that takes an id is called
 * by a second tenant (404, exactly what an id that does not exist gets, in the job API's shape and
 * the workbench's envelope) and by the owner (anything but 404). Lists show a tenant only its own
 * work, task_id idempotency is per tenant, an admin sees everything, and a workbench sign-in sees
 * the tenant of the token it was opened with. Runs embedded and, in the scaled pass, on
 * PostgreSQL + Redis.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Api, type Job } from './helpers/api.helper.ts';
import { submitBatch } from './helpers/batch.helper.ts';
import { dataset, SMALL_TABLE } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

const TOKENS = { alpha: 'tok-alpha-0123456789', beta: 'tok-beta-0123456789', ops: 'tok-ops-0123456789' };
const ID_PARAMS = ['id', 'task_id'];
const MISSING_JOB = '01J00000000000000000000000';
const MISSING_TASK = 'tsk_01J00000000000000000000000';

let srv: TestServer;
let alpha: Api;
let beta: Api;
let ops: Api;
let alphaJob: Job;
let betaJob: Job;
let alphaTask: string;

interface Answer {
  status: number;
  code: string | null;
}

async function call(token: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const withBody = ['POST', 'PUT', 'PATCH'].includes(method);
  const res = await fetch(srv.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(withBody ? { 'content-type': 'application/json' } : {}), ...headers },
    body: withBody ? '{}' : undefined,
  });
  const text = await res.text();
  let code: string | null = null;
  try {
    const body = JSON.parse(text) as { code?: string; error?: { code?: string } };
    code = body.error?.code ?? body.code ?? null;
  } catch {
    /* files, event streams: only the status matters */
  }
  return { status: res.status, code };
}

before(async () => {
  srv = await startTestServer({
    startWorkers: false,
    env: { OCRFLOW_TOKENS: `alpha:${TOKENS.alpha},beta:${TOKENS.beta},ops:${TOKENS.ops}`, OCRFLOW_ADMIN_TOKENS: 'ops' },
  });
  alpha = new Api(srv.url, TOKENS.alpha);
  beta = new Api(srv.url, TOKENS.beta);
  ops = new Api(srv.url, TOKENS.ops);
  const img = dataset(SMALL_TABLE);
  alphaJob = await alpha.submit(img, 'a.png', { task_id: 'shared-name', mode: 'text' });
  betaJob = await beta.submit(img, 'b.png', { task_id: 'shared-name', mode: 'layout' });
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(img)]), 'a.png');
  const up = await alpha.json<{ data: { id: string } }>('/api/v1/upload/image', { method: 'POST', body: fd });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  alphaTask = up.body.data.id;
});
after(() => srv.close());

test('lists show a tenant only its own work; an admin sees every tenant', async () => {
  const ids = async (api: Api, q = '') => (await api.json<{ jobs: Job[] }>(`/v1/jobs${q}`)).body.jobs.map((j) => j.id).sort();
  assert.ok((await ids(alpha)).includes(alphaJob.id));
  assert.ok(!(await ids(alpha)).includes(betaJob.id));
  assert.deepEqual(await ids(beta), [betaJob.id]);
  const all = await ids(ops);
  assert.ok(all.includes(alphaJob.id) && all.includes(betaJob.id));
  assert.deepEqual(await ids(beta, '?task_id=shared-name'), [betaJob.id]);
  assert.deepEqual(await ids(alpha, '?task_id=shared-name'), [alphaJob.id]);

  const tasks = async (api: Api) => (await api.json<{ data: { items: { id: string }[]; total: number } }>('/api/v1/tasks')).body.data;
  assert.deepEqual(await tasks(beta), { items: [], total: 0, page: 1, page_size: 20 });
  assert.ok((await tasks(alpha)).items.some((t) => t.id === alphaTask));
  assert.ok((await tasks(ops)).items.some((t) => t.id === alphaTask));
});

test('task_id idempotency is per tenant', async () => {
  // Both tenants used `shared-name` with different options: two jobs, no conflict.
  assert.notEqual(alphaJob.id, betaJob.id);
  const img = dataset(SMALL_TABLE);
  const again = await alpha.submitRaw(img, 'a.png', { task_id: 'shared-name', mode: 'text' });
  assert.equal(again.status, 200);
  assert.equal(again.body.id, alphaJob.id);
  const conflict = await beta.submitRaw(img, 'b.png', { task_id: 'shared-name', mode: 'text' });
  assert.equal(conflict.status, 409);
  assert.equal(conflict.body.error.code, 'OCRFLOW_ERR_TASK_ID_CONFLICT');
  assert.equal((conflict.body.error as { details?: { job_id?: string } }).details?.job_id, betaJob.id);
  // The DeepSeek-compatible lookup by task_id resolves within the caller's tenant.
  const progress = async (api: Api) => (await api.json<{ job_id: string }>('/api/progress/shared-name')).body.job_id;
  assert.equal(await progress(alpha), alphaJob.id);
  assert.equal(await progress(beta), betaJob.id);
  assert.equal(
    (await new Api(srv.url, TOKENS.ops).json('/api/progress/shared-name')).status,
    404,
    "task_ids are looked up in the caller's own tenant, also for an admin",
  );
});

test('a workbench sign-in sees the tenant of the token it was opened with', async () => {
  const login = await fetch(`${srv.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: TOKENS.beta }),
  });
  assert.equal(login.status, 200);
  const loginBody = (await login.json()) as { data: { tenant: string; admin: boolean } };
  assert.deepEqual([loginBody.data.tenant, loginBody.data.admin], ['beta', false]);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const session = (await (await fetch(`${srv.url}/api/v1/auth/session`, { headers: { cookie } })).json()) as { data: { tenant: string; via: string } };
  assert.deepEqual([session.data.tenant, session.data.via], ['beta', 'cookie']);
  assert.equal((await fetch(`${srv.url}/api/v1/tasks/${alphaTask}`, { headers: { cookie } })).status, 404);
  const list = (await (await fetch(`${srv.url}/api/v1/tasks`, { headers: { cookie } })).json()) as { data: { total: number } };
  assert.equal(list.data.total, 0);
  const bearer = (await alpha.json<{ data: { tenant: string; admin: boolean } }>('/api/v1/auth/session')).body.data;
  assert.deepEqual([bearer.tenant, bearer.admin], ['alpha', false]);
  const admin = (await ops.json<{ data: { tenant: string; admin: boolean } }>('/api/v1/auth/session')).body.data;
  assert.deepEqual([admin.tenant, admin.admin], ['ops', true]);
});

test('/metrics counts jobs by tenant', async () => {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const count = (status: string, tenant: string) => Number(new RegExp(`^ocrflow_jobs\\{status="${status}",tenant="${tenant}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
  const queued = async (api: Api) => (await api.json<{ jobs: Job[] }>('/v1/jobs?status=queued&limit=100')).body.jobs.length;
  assert.equal(count('queued', 'beta'), await queued(beta));
  assert.equal(count('queued', 'alpha'), await queued(alpha));
  assert.equal(count('queued', 'ops'), 0);
  assert.ok(!text.includes(TOKENS.alpha), 'no token on /metrics');
});

// Last: the owner's DELETE calls cancel its job and delete its task.
test('every route that takes an id: another tenant gets the 404 of an id that does not exist; the owner and an admin get their answer', async () => {
  // A batch of alpha's for the batch routes (made here, so the earlier tests' lists stay as they were).
  const made = await submitBatch(alpha, [{ data: dataset(SMALL_TABLE), name: 'b.png' }], { batch_id: 'alpha-batch' });
  assert.equal(made.status, 202, JSON.stringify(made.body));
  const alphaBatch = made.body.batch.id;
  const doc = (await (await fetch(`${srv.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
  };
  const routes: { method: string; path: string }[] = [];
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      if (!params.length) continue;
      assert.ok(
        params.every((p) => ID_PARAMS.includes(p)),
        `${method} ${path}: a path parameter this test does not know (${params.join(', ')})`,
      );
      routes.push({ method: method.toUpperCase(), path });
    }
  // The job API, its events/results/analysis/deliveries, both compatibility APIs and the workbench: a walk over nothing would prove nothing.
  assert.ok(routes.length >= 25, `only ${routes.length} routes with an id`);
  // Deletions last, so the owner's later calls still find what they ask about.
  routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  const walked: string[] = [];
  for (const r of routes) {
    const workbench = r.path.startsWith('/api/v1/');
    const batch = r.path.startsWith('/v1/batches/');
    const fill = (id: string) => r.path.replace(/\{(id|task_id)\}/g, batch && id === alphaJob.id ? alphaBatch : id);
    const query = /events|poll/.test(r.path) ? '?timeout_ms=0' : '';
    const name = `${r.method} ${r.path}`;
    const missing = await call(TOKENS.beta, r.method, fill(workbench ? MISSING_TASK : MISSING_JOB) + query);
    assert.equal(missing.status, 404, `${name}: an id that does not exist`);
    const foreign = await call(TOKENS.beta, r.method, fill(workbench ? alphaTask : alphaJob.id) + query);
    assert.deepEqual(foreign, missing, `${name}: another tenant's id must look like one that does not exist`);
    if (r.method === 'GET') {
      const admin = await call(TOKENS.ops, r.method, fill(workbench ? alphaTask : alphaJob.id) + query);
      assert.notEqual(admin.status, 404, `${name}: the admin sees every tenant's ${workbench ? 'tasks' : batch ? 'batches' : 'jobs'}`);
    }
    const own = await call(TOKENS.alpha, r.method, fill(workbench ? alphaTask : alphaJob.id) + query);
    assert.notEqual(own.status, 404, `${name}: the owner gets its answer (${JSON.stringify(own)})`);
    assert.ok(own.status < 500, `${name}: ${JSON.stringify(own)}`);
    walked.push(name);
  }
  assert.ok(
    walked.includes('GET /v1/jobs/{id}') && walked.includes('GET /api/v1/tasks/{id}') && walked.includes('GET /api/progress/{task_id}'),
    walked.join('\n'),
  );
});
