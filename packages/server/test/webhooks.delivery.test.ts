/**
 * Webhook delivery end to end: a real service (SQLite, worker threads, loopback HTTP) calls a real
 * receiver on loopback. Signed bodies verified with `standardwebhooks`; retries on 5xx, time-outs
 * and redirects with a short schedule; every attempt recorded; the job stays `finished` while its
 * webhook is retried; dead deliveries redelivered; global endpoints; progress events; targets in
 * private ranges refused at submission and at send time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { Api, type ErrorBody, type Job } from './helpers/api.helper.ts';
import { makePdf, textPage } from './helpers/fixtures.helper.ts';
import { Receiver } from './helpers/receiver.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

const SECRET = `whsec_${Buffer.from('ocrflow webhook test secret 0123456789').toString('base64')}`;
const pdf = (n: number) => makePdf(Array.from({ length: n }, (_, i) => textPage(i + 1)));

interface Attempt {
  n: number;
  http_status: number | null;
  error: string | null;
  latency_ms: number;
  response_excerpt: string | null;
}
interface Delivery {
  id: string;
  webhook_id: string;
  type: string;
  url: string;
  source: string;
  state: string;
  attempt_count: number;
  redelivery_of: string | null;
  attempts: Attempt[];
}

let rx: Receiver;
let srv: TestServer;
let api: Api;

before(async () => {
  rx = await Receiver.start();
  srv = await startTestServer({
    env: {
      OCRFLOW_WEBHOOK_SECRET: SECRET,
      OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OCRFLOW_WEBHOOK_SCHEDULE: '200ms,200ms,200ms',
      OCRFLOW_WEBHOOK_TIMEOUT_MS: '1000',
      OCRFLOW_WEBHOOK_URLS: `${'http://127.0.0.1:'}${new URL(rx.url).port}/global,http://10.255.255.1/never`,
    },
  });
  api = new Api(srv.url);
});
after(async () => {
  await srv?.close();
  await rx?.close();
});

async function deliveries(jobId: string): Promise<Delivery[]> {
  const r = await api.json<{ deliveries: Delivery[] }>(`/v1/jobs/${jobId}/deliveries`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.deliveries;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, maxMs = 20_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const forUrl = (ds: Delivery[], suffix: string) => ds.filter((d) => d.url.endsWith(suffix));

async function submitWithHook(p: string, fields: Record<string, string> = {}, pages = 2): Promise<Job> {
  return api.submit(pdf(pages), 'doc.pdf', { webhook_url: `${rx.url}${p}`, ...fields });
}

test('a finished job calls its webhook with a correctly signed body', async () => {
  rx.on('/ok', () => 200);
  const job = await submitWithHook('/ok', { task_id: 'doc-42' });
  const [got] = await rx.waitFor('/ok');
  const body = new Webhook(SECRET).verify(got.body, got.headers) as Record<string, unknown>;
  assert.equal(body.type, 'job.finished');
  assert.equal(body.job_id, job.id);
  assert.equal(body.task_id, 'doc-42');
  assert.equal(body.status, 'finished');
  assert.equal(body.error, null);
  assert.equal(body.total_pages, 2);
  assert.equal(body.done_pages, 2);
  assert.equal(body.result_url, `${srv.url}/v1/jobs/${job.id}/result`);
  assert.ok(path.isAbsolute(String(body.result_dir)));
  assert.ok(fs.existsSync(path.join(String(body.result_dir), 'result.json')), 'result_dir holds the results');
  assert.ok(!Number.isNaN(Date.parse(String(body.timestamp))));
  const terminalSeq = (await api.poll(job.id, { timeout_ms: 0 })).last_seq;
  assert.equal(got.headers['webhook-id'], `msg_${job.id}_${terminalSeq}`, 'one message id per event');
  assert.equal(body.event_seq, terminalSeq);
  assert.equal(got.headers['content-type'], 'application/json');
  // A tampered body or a wrong secret does not verify.
  assert.throws(() => new Webhook(SECRET).verify(got.body.replace('finished', 'failed'), got.headers));
  assert.throws(() => new Webhook(`whsec_${Buffer.from('another secret, another sender!!').toString('base64')}`).verify(got.body, got.headers));
  const [d] = forUrl(
    await until('delivered', async () =>
      (await deliveries(job.id)).find((x) => x.url.endsWith('/ok') && x.state === 'delivered') ? deliveries(job.id) : null,
    ),
    '/ok',
  );
  assert.equal(d.attempt_count, 1);
  assert.deepEqual(
    d.attempts.map((a) => a.http_status),
    [200],
  );
  assert.equal(d.attempts[0].response_excerpt, 'ok');
});

test('500, 500, 200: exactly three attempts, one webhook-id, and the job stays finished throughout', async () => {
  rx.on('/flaky', (n) => (n <= 2 ? { status: 500, body: 'receiver down' } : 200));
  const job = await submitWithHook('/flaky');
  const statuses: string[] = [];
  for (let i = 1; i <= 3; i++) {
    await rx.waitFor('/flaky', i);
    statuses.push((await api.job(job.id)).status);
  }
  const d = await until('three attempts', async () => forUrl(await deliveries(job.id), '/flaky').find((x) => x.state === 'delivered'));
  assert.deepEqual(statuses, ['finished', 'finished', 'finished']);
  assert.equal(d.attempt_count, 3);
  assert.deepEqual(
    d.attempts.map((a) => [a.n, a.http_status, a.error]),
    [
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 200, null],
    ],
  );
  assert.equal(d.attempts[0].response_excerpt, 'receiver down');
  const reqs = rx.at('/flaky');
  assert.equal(reqs.length, 3);
  assert.equal(new Set(reqs.map((r) => r.headers['webhook-id'])).size, 1, 'the same webhook-id on every retry');
  assert.equal(new Set(reqs.map((r) => r.body)).size, 1, 'the same body on every retry');
  for (const r of reqs) new Webhook(SECRET).verify(r.body, r.headers);
  assert.ok(reqs[1].at - reqs[0].at >= 150, 'the retry waited for the schedule');
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(rx.at('/flaky').length, 3, 'nothing more after success');
});

test('a receiver that hangs: the attempt times out and is retried', async () => {
  rx.on('/hang', (n) => (n === 1 ? 'hang' : 200));
  const job = await submitWithHook('/hang');
  const d = await until('delivered after a time-out', async () => forUrl(await deliveries(job.id), '/hang').find((x) => x.state === 'delivered'));
  assert.deepEqual(
    d.attempts.map((a) => a.http_status),
    [null, 200],
  );
  assert.equal(d.attempts[0].error, 'timeout after 1000 ms');
  assert.ok(d.attempts[0].latency_ms >= 900 && d.attempts[0].latency_ms < 5000, String(d.attempts[0].latency_ms));
});

test('redirects are not followed: each is a failed attempt, then the delivery is dead; redeliver sends it again', async () => {
  let healthy = false;
  rx.on('/moved', () => (healthy ? 200 : { status: 302, headers: { location: `${rx.url}/elsewhere` } }));
  const job = await submitWithHook('/moved');
  const dead = await until('dead', async () => forUrl(await deliveries(job.id), '/moved').find((x) => x.state === 'dead'), 30_000);
  assert.equal(dead.attempt_count, 4, 'schedule of 3 retries = 4 attempts');
  assert.ok(
    dead.attempts.every((a) => a.http_status === 302 && /redirect \(HTTP 302 to .*\/elsewhere\) not followed/.test(a.error ?? '')),
    JSON.stringify(dead.attempts),
  );
  assert.equal(rx.at('/elsewhere').length, 0, 'the redirect target was never called');

  healthy = true;
  const before = rx.at('/moved').length;
  const r = await api.json<{ deliveries: Delivery[] }>(`/v1/jobs/${job.id}/deliveries/redeliver`, { method: 'POST' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const created = r.body.deliveries.find((x) => x.url.endsWith('/moved'));
  assert.ok(created);
  assert.equal(created.source, 'redeliver');
  assert.equal(created.redelivery_of, dead.id);
  assert.equal(created.webhook_id, dead.webhook_id, 'a resend of the same event keeps its message id');
  await rx.waitFor('/moved', before + 1);
  const again = await until('redelivered', async () => (await deliveries(job.id)).find((x) => x.id === created.id && x.state === 'delivered'));
  assert.deepEqual(
    again.attempts.map((a) => a.http_status),
    [200],
  );
  const last = rx.at('/moved').at(-1)!;
  assert.equal(last.body, rx.at('/moved')[0].body, 'the same body as the first delivery');
  new Webhook(SECRET).verify(last.body, last.headers);
  assert.equal((await api.json<ErrorBody>('/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/deliveries')).status, 404);
});

test('global endpoints get every terminal event; a private global target is refused at send time', async () => {
  const job = await api.submit(pdf(1), 'no-hook.pdf');
  await until('the global endpoint got this job', async () => rx.at('/global').some((r) => (JSON.parse(r.body) as { job_id: string }).job_id === job.id));
  const ds = await until('both global deliveries settled', async () => {
    const all = await deliveries(job.id);
    return all.length === 2 && all.every((d) => d.attempt_count >= 1) ? all : null;
  });
  assert.equal(forUrl(ds, '/global')[0].state, 'delivered');
  const never = forUrl(ds, '/never')[0];
  assert.equal(never.source, 'global');
  assert.match(never.attempts[0].error ?? '', /^target refused: 10\.255\.255\.1 is in a private range/);
  assert.equal(never.attempts[0].http_status, null);
});

test('webhook_events=progress,finished: one job.progress per page, then job.finished', async () => {
  rx.on('/progress', () => 200);
  const job = await submitWithHook('/progress', { webhook_events: 'progress,finished' }, 3);
  const reqs = await rx.waitFor('/progress', 4);
  await until('settled', async () => (await deliveries(job.id)).filter((d) => d.url.endsWith('/progress')).every((d) => d.state === 'delivered'));
  const bodies = rx.at('/progress').map((r) => JSON.parse(r.body) as { type: string; page?: number; done_pages: number; job_id: string });
  assert.ok(bodies.every((b) => b.job_id === job.id));
  assert.deepEqual(
    bodies
      .filter((b) => b.type === 'job.progress')
      .map((b) => b.page)
      .sort(),
    [1, 2, 3],
  );
  assert.equal(bodies.filter((b) => b.type === 'job.finished').length, 1);
  assert.equal(reqs.length >= 4, true);
  const bad = await api.submitRaw(pdf(1), 'x.pdf', { webhook_url: `${rx.url}/x`, webhook_events: 'finished,exploded' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'OCRFLOW_ERR_VALIDATION');
  const noUrl = await api.submitRaw(pdf(1), 'x.pdf', { webhook_events: 'finished' });
  assert.equal(noUrl.status, 400);
});

test('targets in private, link-local, metadata or CGNAT ranges are refused at submission', async () => {
  for (const url of [
    'http://10.1.2.3/hook',
    'http://192.168.1.10/hook',
    'http://172.16.0.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/',
    'http://[::1]:8080/',
    'http://[fd00:ec2::254]/',
    'http://[::ffff:10.0.0.1]/',
    'http://0.0.0.0/',
    'http://224.0.0.1/',
  ]) {
    const r = await api.submitRaw(pdf(1), 'x.pdf', { webhook_url: url });
    assert.equal(r.status, 400, url);
    assert.equal(r.body.error.code, 'OCRFLOW_ERR_WEBHOOK_URL_REFUSED', url);
  }
  const ftp = await api.submitRaw(pdf(1), 'x.pdf', { webhook_url: 'ftp://example.com/x' });
  assert.equal(ftp.status, 400);
  // Loopback is allowed here only because the test lists 127.0.0.1 in OCRFLOW_WEBHOOK_ALLOW_HOSTS.
  const ok = await api.submitRaw(pdf(1), 'x.pdf', { webhook_url: `${rx.url}/ok` });
  assert.equal(ok.status, 202);
});

test('without configuration loopback targets are refused; OCRFLOW_WEBHOOK_ALLOW_PRIVATE=1 allows them', async () => {
  const strict = await startTestServer({ startWorkers: false, env: { OCRFLOW_WEBHOOK_SECRET: SECRET } });
  const open = await startTestServer({ startWorkers: false, env: { OCRFLOW_WEBHOOK_SECRET: SECRET, OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1' } });
  try {
    const refused = await new Api(strict.url).submitRaw(pdf(1), 'x.pdf', { webhook_url: `${rx.url}/ok` });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'OCRFLOW_ERR_WEBHOOK_URL_REFUSED');
    assert.match(refused.body.error.message, /127\.0\.0\.1 is in a loopback range/);
    assert.equal((await new Api(open.url).submitRaw(pdf(1), 'x.pdf', { webhook_url: `${rx.url}/ok` })).status, 202);
    // Even with private targets allowed, the cloud metadata address stays refused.
    const meta = await new Api(open.url).submitRaw(pdf(1), 'x.pdf', { webhook_url: 'http://169.254.169.254/' });
    assert.equal(meta.status, 400);
    // Only a job that ended has a terminal event to redeliver.
    const queued = await new Api(open.url).submit(pdf(1), 'q.pdf', { webhook_url: `${rx.url}/ok` });
    const early = await new Api(open.url).json<ErrorBody>(`/v1/jobs/${queued.id}/deliveries/redeliver`, { method: 'POST' });
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'OCRFLOW_ERR_INVALID_STATE');
    assert.deepEqual((await new Api(open.url).json<{ deliveries: unknown[] }>(`/v1/jobs/${queued.id}/deliveries`)).body.deliveries, []);
  } finally {
    await strict.close();
    await open.close();
  }
});

test('with the analysis step on, the finished webhook carries the analysis summary', async () => {
  const withAnalysis = await startTestServer({ env: { OCRFLOW_ANALYSIS: '1', OCRFLOW_WEBHOOK_SECRET: SECRET, OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
  try {
    rx.on('/analysed', () => 200);
    const invoice = makePdf([
      { text: ['ACME SUPPLIES LTD', 'INVOICE NO: INV-2024-0042', 'DATE: 12/03/2024', 'Paper A4 2 x 4.50 9.00', 'Pens 1 x 3.20 3.20', 'TOTAL: 12.20'] },
    ]);
    const job = await new Api(withAnalysis.url).submit(invoice, 'invoice.pdf', { webhook_url: `${rx.url}/analysed` });
    const [got] = await rx.waitFor('/analysed');
    const body = new Webhook(SECRET).verify(got.body, got.headers) as {
      job_id: string;
      analysis?: { schema: string; analyser: string; kind: string; fields: Record<string, unknown> };
    };
    assert.equal(body.job_id, job.id);
    assert.ok(body.analysis, 'analysis summary present');
    assert.equal(body.analysis.schema, 'ocrflow.analysis/1');
    assert.equal(body.analysis.analyser, 'builtin');
    assert.equal(typeof body.analysis.kind, 'string');
    assert.equal(typeof body.analysis.fields, 'object');
    const full = await new Api(withAnalysis.url).json<{ kind: string }>(`/v1/jobs/${job.id}/analysis`);
    assert.equal(full.status, 200);
    assert.equal(body.analysis.kind, full.body.kind, 'the summary is of the stored analysis');
  } finally {
    await withAnalysis.close();
  }
});
