/**
 * The workbench behind OCRFLOW_TOKENS (real server, real HTTP on loopback, no OCR run): every route
 * from the OpenAPI document refuses a caller without credentials (so a new route cannot be
 * forgotten); Bearer tokens work; sign-in gives a cookie (not the token) that works for reads, SSE
 * and images; tampered, expired, foreign and signed-out cookies are refused; cookie-authenticated
 * changes need the CSRF header; wrong tokens are rate-limited per address; the webhook receiver,
 * health and sign-in stay open; without tokens everything stays open as before, and the start-up
 * warning says so.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '@ocrflow/core';
import { startService } from '../../src/index.ts';
import { dataset, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { tempDataDir, testEnv } from '../helpers/server.helper.ts';
import { SessionSealer, sessionKeyPath } from '../../src/workbench/session.cookie.ts';
import { SECRET, startWb, WbApi, type TaskView, type WbServer } from './helpers/workbench.helper.ts';

const TOKENS = ['tok-alpha-0123456789', 'tok-beta-longer-9876543210'];
const PUBLIC = ['POST /api/v1/ocr/webhook', 'GET /api/v1/ocr/health', 'POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'GET /api/v1/auth/session'];
const CSRF = { 'x-requested-with': 'ocrflow' };

let srv: WbServer;
let api: WbApi;
let task: TaskView;

const bearer = (t = TOKENS[0]) => ({ authorization: `Bearer ${t}` });
const cookieOf = (res: Response) => /^ocrflow_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
const withCookie = (value: string, extra: Record<string, string> = {}) => ({ cookie: `theme=dark; ocrflow_session=${value}`, ...extra });

async function login(token: string, headers: Record<string, string> = {}) {
  return api.call<{ signed_in: boolean; via: string | null; expires_at: string | null; auth_required: boolean }>('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token }),
  });
}

async function signIn(): Promise<string> {
  const r = await login(TOKENS[1]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const c = cookieOf(r.res);
  assert.ok(c);
  return c;
}

/** A POST from a given loopback source address (the limiter counts per address). */
function postFrom(
  localAddress: string,
  p: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: { code?: string; message: string } }> {
  const u = new URL(srv.url + p);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  // One tenant for both tokens: these tests are about who gets in; tenants.test.ts is about what each sees.
  srv = await startWb({ startWorkers: false, env: { OCRFLOW_TOKENS: TOKENS.map((t) => `team:${t}`).join(','), OCRFLOW_SESSION_TTL_HOURS: '2' } });
  api = new WbApi(srv.url);
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(dataset(SMALL_TABLE))]), 'table.png');
  const r = await api.call<TaskView>('/api/v1/upload/image', { method: 'POST', body: fd, headers: bearer() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  task = r.body.data;
});
after(async () => srv?.close());

test('every workbench route of the OpenAPI document refuses a caller without credentials (401 in the envelope), except the public few', async () => {
  const doc = (await (await fetch(`${srv.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  let checked = 0;
  const seenPublic: string[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    if (!p.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const key = `${method.toUpperCase()} ${p}`;
      const url = srv.url + p.replace(/\{(\w+)\}/g, () => task.id);
      if (PUBLIC.includes(key)) {
        seenPublic.push(key);
        assert.ok(!op.security?.length, `${key} is documented as open`);
        continue;
      }
      assert.deepEqual(op.security, [{ bearer: [] }, { session: [] }], `${key} is documented as needing credentials`);
      const r = await api.call(url.slice(srv.url.length), { method: method.toUpperCase() });
      assert.equal(r.status, 401, `${key}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'OCRFLOW_ERR_UNAUTHORIZED', key);
      assert.match(r.body.message, /sign in/i, key);
      assert.equal(r.res.headers.get('www-authenticate'), 'Bearer', key);
      checked++;
    }
  }
  assert.ok(checked >= 14, `${checked} protected routes checked`);
  assert.deepEqual(seenPublic.sort(), [...PUBLIC].sort(), 'the public routes are all in the document');
  // Nothing was changed by the refused DELETE, POSTs and PUT.
  const t = await api.call<TaskView>(`/api/v1/tasks/${task.id}`, { headers: bearer() });
  assert.equal(t.status, 200);
  assert.equal(t.body.data.status, 'ocr_processing');
  assert.equal(t.body.data.workbook_version, null);
});

test('Bearer tokens (any configured one) work; a wrong one or another scheme is 401', async () => {
  const list = await api.call<{ total: number; items: TaskView[] }>('/api/v1/tasks', { headers: bearer(TOKENS[1]) });
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.data.items.map((t) => t.id),
    [task.id],
  );
  const img = await fetch(`${srv.url}/api/v1/tasks/${task.id}/image`, { headers: bearer() });
  assert.equal(img.status, 200);
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), dataset(SMALL_TABLE));
  // State changes with a Bearer token need no CSRF header (browsers never add Authorization themselves).
  const retry = await api.call(`/api/v1/ocr/retry/${task.id}`, { method: 'POST', headers: bearer() });
  assert.equal(retry.status, 409, 'past the gate: the task is simply not in a failed state');
  for (const [name, h] of [
    ['wrong token', bearer('tok-alpha-01234567890')],
    ['Basic', { authorization: `Basic ${Buffer.from(`x:${TOKENS[0]}`).toString('base64')}` }],
  ] as const) {
    const r = await api.call('/api/v1/tasks', { headers: h });
    assert.equal(r.status, 401, name);
    assert.equal(r.body.code, 'OCRFLOW_ERR_UNAUTHORIZED', name);
  }
});

test('sign-in: a wrong token is 401; the right one sets an HttpOnly, SameSite=Strict cookie that is not the token and works for reads, SSE and images', async () => {
  const wrong = await login('not-a-token');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.code, 'OCRFLOW_ERR_UNAUTHORIZED');
  assert.equal(wrong.body.message, 'The access token is not valid');
  assert.equal(wrong.res.headers.get('set-cookie'), null);

  const r = await login(TOKENS[1]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.data.signed_in, true);
  assert.equal(r.body.data.via, 'cookie');
  const ttl = Date.parse(r.body.data.expires_at ?? '') - Date.now();
  assert.ok(ttl > 2 * 3600_000 - 60_000 && ttl <= 2 * 3600_000, `expires in ${ttl} ms`);
  const setCookie = r.res.headers.get('set-cookie') ?? '';
  const attrs = setCookie.split(';').map((s) => s.trim());
  for (const a of ['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=7200']) assert.ok(attrs.includes(a), `${a} in ${setCookie}`);
  assert.ok(!attrs.includes('Secure'), 'plain http: not Secure');
  const cookie = cookieOf(r.res)!;
  for (const t of TOKENS) assert.ok(!cookie.includes(t) && !decodeURIComponent(cookie).includes(t), 'the cookie is not the token');
  // Through a TLS-terminating proxy the cookie is Secure.
  const viaTls = await login(TOKENS[0], { 'x-forwarded-proto': 'https' });
  assert.ok(
    (viaTls.res.headers.get('set-cookie') ?? '')
      .split(';')
      .map((s) => s.trim())
      .includes('Secure'),
  );

  const session = await api.call<{ signed_in: boolean; via: string }>('/api/v1/auth/session', { headers: withCookie(cookie) });
  assert.deepEqual([session.body.data.signed_in, session.body.data.via], [true, 'cookie']);
  const list = await api.call<{ items: TaskView[] }>('/api/v1/tasks', { headers: withCookie(cookie) });
  assert.equal(list.status, 200);
  assert.equal(list.body.data.items[0].id, task.id);
  const img = await fetch(`${srv.url}/api/v1/tasks/${task.id}/image`, { headers: withCookie(cookie) });
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), dataset(SMALL_TABLE));

  const ac = new AbortController();
  const sse = await fetch(`${srv.url}/api/v1/tasks/${task.id}/events`, { headers: withCookie(cookie, { accept: 'text/event-stream' }), signal: ac.signal });
  assert.equal(sse.status, 200);
  assert.match(sse.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = sse.body!.getReader();
  let text = '';
  while (!/event: task\ndata: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  ac.abort();
  assert.equal((JSON.parse(/event: task\ndata: (.*)\n/.exec(text)![1]) as TaskView).id, task.id);

  // The cookie is a workbench session, never a credential for the service API.
  assert.equal((await fetch(`${srv.url}/v1/jobs`, { headers: withCookie(cookie) })).status, 401);
  assert.equal((await fetch(`${srv.url}/v1/jobs`, { headers: { authorization: `Bearer ${cookie}` } })).status, 401);
});

test('cookie-authenticated changes need X-Requested-With: ocrflow (403 without); with it they work', async () => {
  const cookie = await signIn();
  const fd = () => {
    const f = new FormData();
    f.append('file', new Blob([new Uint8Array(dataset(SMALL_TABLE))]), 'second.png');
    return f;
  };
  const cases: [string, string, RequestInit][] = [
    ['upload', '/api/v1/upload/image', { method: 'POST', body: fd() }],
    ['delete', `/api/v1/tasks/${task.id}`, { method: 'DELETE' }],
    ['save', `/api/v1/tasks/${task.id}/tables`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"sheets":[]}' }],
    ['retry', `/api/v1/ocr/retry/${task.id}`, { method: 'POST' }],
    ['sign out', '/api/v1/auth/logout', { method: 'POST' }],
  ];
  for (const [name, p, init] of cases) {
    const r = await api.call(p, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...withCookie(cookie), 'x-requested-with': 'XMLHttpRequest' },
    });
    assert.equal(r.status, 403, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 'OCRFLOW_ERR_CSRF', name);
  }
  assert.equal((await api.call<{ total: number }>('/api/v1/tasks', { headers: withCookie(cookie) })).body.data.total, 1, 'nothing was uploaded or deleted');
  assert.equal((await api.call<{ signed_in: boolean }>('/api/v1/auth/session', { headers: withCookie(cookie) })).body.data.signed_in, true, 'not signed out');

  const up = await api.call<TaskView>('/api/v1/upload/image', { method: 'POST', body: fd(), headers: withCookie(cookie, CSRF) });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const del = await api.call(`/api/v1/tasks/${up.body.data.id}`, { method: 'DELETE', headers: withCookie(cookie, CSRF) });
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.equal((await api.call(`/api/v1/tasks/${up.body.data.id}`, { headers: withCookie(cookie) })).status, 404);
});

test('tampered, expired, foreign-key and removed-token cookies are 401 and cleared', async () => {
  const good = await signIn();
  const [v, sid, exp, mac] = good.split('.');
  const flip = (s: string) => s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
  const key = fs.readFileSync(sessionKeyPath(srv.service.config), 'utf8').trim();
  assert.equal(fs.statSync(sessionKeyPath(srv.service.config)).mode & 0o777, 0o600);
  const grant = (token: string) => ({ token, tenant: 'any', admin: false });
  const sealer = new SessionSealer(Buffer.from(key, 'base64'), TOKENS.map(grant));
  const now = Date.now();
  const cases: [string, string, RegExp][] = [
    ['MAC altered', [v, sid, exp, flip(mac)].join('.'), /no longer valid/],
    ['expiry pushed out', [v, sid, String(Number(exp) + 86_400), mac].join('.'), /no longer valid/],
    ['another session id', [v, flip(sid), exp, mac].join('.'), /no longer valid/],
    ['the token itself', TOKENS[0], /no longer valid/],
    ['expired (authentic)', sealer.seal(grant(TOKENS[0]), now - 3 * 3600_000, 2 * 3600_000).value, /expired/],
    [
      'signed with another server key',
      new SessionSealer(Buffer.alloc(32, 7), TOKENS.map(grant)).seal(grant(TOKENS[0]), now, 3600_000).value,
      /no longer valid/,
    ],
    [
      'made with a token that is no longer configured',
      new SessionSealer(Buffer.from(key, 'base64'), [grant('old-token')]).seal(grant('old-token'), now, 3600_000).value,
      /no longer valid/,
    ],
  ];
  // The same key and a configured token: accepted (so the refusals above are about what they change).
  assert.equal((await api.call('/api/v1/tasks', { headers: withCookie(sealer.seal(grant(TOKENS[0]), now, 3600_000).value) })).status, 200);
  for (const [name, value, message] of cases) {
    const r = await api.call('/api/v1/tasks', { headers: withCookie(value) });
    assert.equal(r.status, 401, name);
    assert.equal(r.body.code, 'OCRFLOW_ERR_UNAUTHORIZED', name);
    assert.match(r.body.message, message, name);
    assert.match(r.res.headers.get('set-cookie') ?? '', /^ocrflow_session=;.*Max-Age=0/, `${name}: cleared`);
  }
});

test('sign-out ends the session for good: the cleared cookie and a kept copy are both refused', async () => {
  const cookie = await signIn();
  assert.equal((await api.call('/api/v1/tasks', { headers: withCookie(cookie) })).status, 200);
  const out = await api.call<{ signed_in: boolean }>('/api/v1/auth/logout', { method: 'POST', headers: withCookie(cookie, CSRF) });
  assert.equal(out.status, 200);
  assert.equal(out.body.data.signed_in, false);
  assert.match(out.res.headers.get('set-cookie') ?? '', /^ocrflow_session=;.*Max-Age=0/);
  const replay = await api.call('/api/v1/tasks', { headers: withCookie(cookie) });
  assert.equal(replay.status, 401);
  assert.equal(replay.body.code, 'OCRFLOW_ERR_UNAUTHORIZED');
  const s = await api.call<{ signed_in: boolean; auth_required: boolean }>('/api/v1/auth/session', { headers: withCookie(cookie) });
  assert.deepEqual([s.status, s.body.data.signed_in, s.body.data.auth_required], [200, false, true]);
  // Other sessions are untouched.
  assert.equal((await api.call('/api/v1/tasks', { headers: withCookie(await signIn()) })).status, 200);
});

test('wrong tokens are limited per address: the 11th attempt within a minute is 429 with Retry-After, even with the right token', async () => {
  const body = (t: string) => JSON.stringify({ token: t });
  for (let i = 0; i < 10; i++) {
    const r = await postFrom('127.0.0.2', '/api/v1/auth/login', body(`guess-${i}`));
    assert.equal(r.status, 401, `attempt ${i + 1}`);
  }
  const limited = await postFrom('127.0.0.2', '/api/v1/auth/login', body(TOKENS[0]));
  assert.equal(limited.status, 429);
  assert.equal(limited.body.code, 'OCRFLOW_ERR_TOO_MANY_ATTEMPTS');
  const wait = Number(limited.headers['retry-after']);
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  assert.equal(limited.headers['set-cookie'], undefined);
  // Another address is not held back.
  assert.equal((await postFrom('127.0.0.3', '/api/v1/auth/login', body(TOKENS[0]))).status, 200);
  // Guessing through the Bearer header counts the same way.
  for (let i = 0; i < 10; i++)
    assert.equal((await postFrom('127.0.0.4', `/api/v1/ocr/retry/${task.id}`, '', { authorization: `Bearer guess-${i}` })).status, 401);
  const r = await postFrom('127.0.0.4', `/api/v1/ocr/retry/${task.id}`, '', bearer());
  assert.equal(r.status, 429);
  assert.ok(Number(r.headers['retry-after']) >= 1);
});

test('the webhook receiver (signature only) and health stay open; health says sign-in is needed', async () => {
  const h = await api.call<{ auth_required: boolean; message: string }>('/api/v1/ocr/health');
  assert.equal(h.status, 200);
  assert.equal(h.body.data.auth_required, true);
  const payload = JSON.stringify({ type: 'job.finished', job_id: task.ocr_job_id, task_id: task.id, status: 'finished', timestamp: new Date().toISOString() });
  const at = new Date();
  const id = `msg_${task.ocr_job_id}_auth`;
  const hook = await api.call<{ outcome: string }>('/api/v1/ocr/webhook', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(id, at, payload),
    },
    body: payload,
  });
  assert.equal(hook.status, 200, JSON.stringify(hook.body));
  assert.equal(hook.body.data.outcome, 'ignored');
  const unsigned = await api.call('/api/v1/ocr/webhook', { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
  assert.deepEqual([unsigned.status, unsigned.body.code], [401, 'OCRFLOW_ERR_BAD_SIGNATURE']);
});

test('without tokens the workbench stays open: no route of the document asks for credentials, sign-in is not needed', async () => {
  const open = await startWb({ startWorkers: false });
  try {
    const oapi = new WbApi(open.url);
    const doc = (await (await fetch(`${open.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      if (!p.startsWith('/api/v1/')) continue;
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'delete'].includes(m))) {
        const r = await oapi.call(p.replace(/\{(\w+)\}/g, 'tsk_nope'), { method: method.toUpperCase() });
        assert.ok(![401, 403, 429].includes(r.status) || r.body.code === 'OCRFLOW_ERR_BAD_SIGNATURE', `${method} ${p}: ${r.status} ${r.body.code}`);
        checked++;
      }
    }
    assert.ok(checked >= 19);
    assert.equal((await oapi.call<{ auth_required: boolean }>('/api/v1/ocr/health')).body.data.auth_required, false);
    const s = await oapi.call<{ auth_required: boolean; signed_in: boolean }>('/api/v1/auth/session');
    assert.deepEqual([s.body.data.auth_required, s.body.data.signed_in], [false, false]);
    const l = await oapi.call<{ auth_required: boolean }>('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":"anything"}',
    });
    assert.deepEqual([l.status, l.body.data.auth_required, l.res.headers.get('set-cookie')], [200, false, null]);
    const up = await oapi.upload(dataset(SMALL_TABLE), 'open.png');
    assert.equal(up.status, 201);
    assert.equal((await oapi.call(`/api/v1/tasks/${up.body.data.id}`, { method: 'DELETE' })).status, 200, 'no CSRF header needed without a cookie');
    assert.equal(fs.existsSync(sessionKeyPath(open.service.config)), false, 'no session key without tokens');
  } finally {
    await open.close();
  }
});

test('the start-up warning without tokens names the workbench too; with tokens there is none', async () => {
  for (const tokens of ['', TOKENS[0]]) {
    const lines: string[] = [];
    const dataDir = tempDataDir();
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const service = await startService({
      config: loadConfig({ env: testEnv(dataDir, { OCRFLOW_TOKENS: tokens, OCRFLOW_WEBHOOK_SECRET: SECRET }) }),
      logger,
      listen: false,
      startWorkers: false,
    });
    await service.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    const warning = lines.map((l) => (JSON.parse(l) as { msg: string }).msg).find((m) => m.startsWith('OCRFLOW_TOKENS is empty'));
    if (tokens) assert.equal(warning, undefined);
    else assert.match(warning ?? '', /service API and the workbench \(web UI and \/api\/v1\) are open/);
  }
});
