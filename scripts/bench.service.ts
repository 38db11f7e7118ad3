/**
 * Throughput of the job spine, run by `npm run bench -- service` (or alone:
 * `node --import tsx scripts/bench.service.ts [--seconds 10] [--clients 64] [--events 200]
 *  [--waiters 10000] [--drain-rows 10000] [--webhook-concurrency 128] [--parts hello,submissions,events,waiting,scaled,webhooks] [--json]`).
 *
 * Every figure stands beside a Fastify "hello world" measured in the same run on the same machine
 * by the same client: the ratio is the number that compares across machines. The clients run in a
 * process of their own (scripts/bench-service.client.mjs), real HTTP on loopback, keep-alive.
 *
 * - hello world: `GET /hello` answering `{hello:"world"}`, and `POST /hello` reading the same
 *   multipart body a submission sends, `--clients` closed-loop clients for `--seconds`.
 * - submissions: `POST /v1/jobs` (a 64×32 PNG, multipart) by the same clients, embedded (SQLite),
 *   with the OCR workers not started (`startWorkers: false`): what is measured is accepting a job,
 *   i.e. blob fsynced and renamed, job row + `queued` event committed (synchronous=FULL), then 202.
 *   The rows are counted afterwards: every 202 is a row.
 * - events: `--events` jobs, each watched by a waiting long-poll and an SSE stream; one job a
 *   10 ms tick gets its next event (the store's claim transition, then the bus wake-up, as the
 *   job runner does); latency = event written → client has it, p50/p99. Embedded; and scaled
 *   (`--role api` child on PostgreSQL + Redis, the events written and published by this process
 *   as a worker process would) when PostgreSQL and Redis answer on 127.0.0.1.
 * - waiting clients: `--waiters` long-polls held at once by one embedded process (caps raised for
 *   the run), its RSS before and while they wait, then every job gets its event: wake-up p50/p99.
 * - webhooks: scripts/bench.webhooks.ts run for its dispatcher figures (latency at 100 finished
 *   jobs/s, drain of `--drain-rows` outbox rows against a receiver answering in 100 ms).
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import sharp from 'sharp';
import { loadConfig } from '@ocrflow/core';
import { startService, type JobStore, type EventBus, type RunningService } from '../packages/server/src/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = opt('seconds', 10);
const CLIENTS = opt('clients', 64);
const EVENTS = opt('events', 200);
const WAITERS = opt('waiters', 10_000);
const DRAIN_ROWS = opt('drain-rows', 10_000);
const WEBHOOK_CONCURRENCY = opt('webhook-concurrency', 128);
const partsAt = args.indexOf('--parts');
const PARTS = new Set((partsAt >= 0 ? args[partsAt + 1] : 'hello,submissions,events,waiting,scaled,webhooks').split(','));
const asJson = args.includes('--json');

const r1 = (x: number) => Math.round(x * 10) / 10;
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
const loadAvg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

interface LoadResult {
  ok: number;
  statuses: Record<string, number>;
  per_s: number;
  p50_ms: number;
  p99_ms: number;
}
interface ClientMessage extends Partial<LoadResult> {
  error?: string;
  parked?: number;
  arrivals?: Record<string, number>;
  retries?: number;
}

/** The client process; `ask` sends one command and resolves with the next message. */
class Client {
  private readonly child: ChildProcess = fork(path.join(import.meta.dirname, 'bench-service.client.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  next(): Promise<ClientMessage> {
    return new Promise((resolve, reject) =>
      this.child.once('message', (m: ClientMessage) => (m.error ? reject(new Error(`bench client: ${m.error}`)) : resolve(m))),
    );
  }
  ask(cmd: Record<string, unknown>): Promise<ClientMessage> {
    const reply = this.next();
    this.child.send(cmd);
    return reply;
  }
  close(): void {
    this.child.send({ op: 'exit' });
  }
}

/** A multipart body with one small PNG, as a submitting client sends it. */
async function multipart(): Promise<{ body: Buffer; type: string }> {
  const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  const b = 'ocrflowbench0123456789';
  const head = `--${b}\r\ncontent-disposition: form-data; name="mode"\r\n\r\ntext\r\n--${b}\r\ncontent-disposition: form-data; name="file"; filename="blank.png"\r\ncontent-type: image/png\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), png, Buffer.from(`\r\n--${b}--\r\n`)]), type: `multipart/form-data; boundary=${b}` };
}

/** Every watcher of the bench comes from one address: the stream caps are raised for the run. */
const STREAM_CAPS = { OCRFLOW_MAX_STREAMS: String(WAITERS + 1000), OCRFLOW_MAX_STREAMS_PER_CLIENT: String(WAITERS + 1000) };

async function embedded(env: Record<string, string> = {}): Promise<{ svc: RunningService; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-bench-svc-'));
  const config = loadConfig({
    env: {
      OCRFLOW_DATA_DIR: dir,
      OCRFLOW_HOST: '127.0.0.1',
      OCRFLOW_PORT: '0',
      OCRFLOW_LOG_LEVEL: 'silent',
      OCRFLOW_ANALYSIS: '0',
      OCRFLOW_QUEUE_MAX: '10000000',
      ...STREAM_CAPS,
      ...env,
    },
  });
  return { svc: await startService({ config, startWorkers: false }), dir };
}

async function helloWorld(client: Client, mp: { body: Buffer; type: string }) {
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ hello: 'world' }));
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/hello', async (_req, reply) => reply.code(202).send({ hello: 'world' }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const get = await client.ask({ op: 'load', url: `${url}/hello`, method: 'GET', concurrency: CLIENTS, durationMs: SECONDS * 1000 });
  const post = await client.ask({
    op: 'load',
    url: `${url}/hello`,
    method: 'POST',
    headers: { 'content-type': mp.type },
    body: mp.body.toString('base64'),
    concurrency: CLIENTS,
    durationMs: SECONDS * 1000,
  });
  await app.close();
  return { get: get as LoadResult, post: post as LoadResult };
}

async function submissions(client: Client, mp: { body: Buffer; type: string }) {
  const { svc, dir } = await embedded();
  const r = (await client.ask({
    op: 'load',
    url: `${svc.url}/v1/jobs`,
    method: 'POST',
    headers: { 'content-type': mp.type },
    body: mp.body.toString('base64'),
    concurrency: CLIENTS,
    durationMs: SECONDS * 1000,
  })) as LoadResult;
  const rows = (await svc.adapters.store.listJobs({ limit: 10_000_000 })).length;
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...r, rows };
}

/** Submit `n` jobs over HTTP (sequentially: setting up, not measured). */
async function submitJobs(url: string, n: number, mp: { body: Buffer; type: string }): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${url}/v1/jobs`, { method: 'POST', headers: { 'content-type': mp.type }, body: new Uint8Array(mp.body) });
    if (r.status !== 202) throw new Error(`submit: ${r.status} ${await r.text()}`);
    ids.push(((await r.json()) as { id: string }).id);
  }
  return ids;
}

/** Give each job its next event (claim → `running`, committed, then the bus wake-up), `tickMs` apart. */
async function fire(store: JobStore, bus: EventBus, ids: string[], tickMs: number): Promise<Map<string, number>> {
  const at = new Map<string, number>();
  for (const id of ids) {
    const t = clock();
    const tr = await store.claimJob(id, 'bench', Date.now() + 600_000, Date.now());
    if (!tr) throw new Error(`claim ${id} failed`);
    await bus.publish(tr.event);
    at.set(id, t);
    if (tickMs) await sleep(tickMs);
  }
  return at;
}

/** Until the server holds `n` connections (or `maxMs`): the watchers are parked. */
async function connections(svc: RunningService | null, n: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    if (svc) {
      const c = await new Promise<number>((r) => svc.app.server.getConnections((_e, k) => r(k)));
      if (c >= n) break;
    }
    await sleep(100);
  }
  await sleep(500);
}

type Latency = { p50_ms: number; p99_ms: number; max_ms: number };
const lat = (xs: number[]): Latency => ({ p50_ms: r1(pct(xs, 50)), p99_ms: r1(pct(xs, 99)), max_ms: r1(Math.max(...xs)) });

/** Long-poll and SSE latency: `ids` are queued jobs of the service at `url`; events written by `store`/`bus`. */
async function eventLatency(longpoll: Client, sse: Client, url: string, ids: string[], store: JobStore, bus: EventBus, svc: RunningService | null) {
  const lp = longpoll.ask({ op: 'watch', base: url, ids, sse: false });
  const ss = sse.ask({ op: 'watch', base: url, ids, sse: true });
  await Promise.all([lp, ss]); // "parked" (requests sent)
  const lpDone = longpoll.next();
  const ssDone = sse.next();
  await connections(svc, ids.length * 2, 10_000);
  const fired = await fire(store, bus, ids, 10);
  const [a, b] = await Promise.all([lpDone, ssDone]);
  const of = (m: ClientMessage) => ids.map((id) => m.arrivals![id] - fired.get(id)!);
  return { events: ids.length, long_poll: lat(of(a)), sse: lat(of(b)) };
}

async function eventsEmbedded(mp: { body: Buffer; type: string }) {
  const { svc, dir } = await embedded();
  const [a, b] = [new Client(), new Client()];
  try {
    const ids = await submitJobs(svc.url, EVENTS, mp);
    return await eventLatency(a, b, svc.url, ids, svc.adapters.store, svc.adapters.bus, svc);
  } finally {
    a.close();
    b.close();
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function waitingClients(mp: { body: Buffer; type: string }) {
  const { svc, dir } = await embedded();
  const client = new Client();
  try {
    const jobs = await submitJobs(svc.url, 100, mp);
    const ids = Array.from({ length: WAITERS }, (_, i) => jobs[i % jobs.length]);
    global.gc?.();
    const rssBefore = rssMb();
    await client.ask({ op: 'watch', base: svc.url, ids, sse: false });
    const done = client.next();
    const t0 = Date.now();
    await connections(svc, WAITERS, 60_000);
    const parkMs = Date.now() - t0;
    const rssHolding = rssMb();
    const fired = await fire(svc.adapters.store, svc.adapters.bus, jobs, 0);
    const m = await done;
    // Arrivals are keyed by job id; the watch keeps one arrival per id, so wake-up is per job's last waiter.
    const wake = jobs.map((id) => m.arrivals![id] - fired.get(id)!);
    return {
      waiters: WAITERS,
      jobs: jobs.length,
      rss_before_mb: rssBefore,
      rss_holding_mb: rssHolding,
      rss_peak_mb: Math.max(rssHolding, rssMb()),
      park_ms: parkMs,
      connect_retries: m.retries ?? 0,
      wake_last_waiter_per_job: lat(wake),
    };
  } finally {
    client.close();
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function reachable(url: string, port: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || port) });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(2000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Scaled: one `--role api` child; this process plays the worker (its own PostgreSQL store and Redis bus). */
async function eventsScaled(mp: { body: Buffer; type: string }) {
  process.env.OCRFLOW_TEST_DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/test';
  process.env.OCRFLOW_TEST_REDIS_URL ||= 'redis://127.0.0.1:6379';
  if (!(await reachable(process.env.OCRFLOW_TEST_DATABASE_URL, 5432)) || !(await reachable(process.env.OCRFLOW_TEST_REDIS_URL, 6379))) return null;
  const { Cluster } = await import('../packages/server/test/scaled/helpers/cluster.helper.ts');
  const { backendEnv } = await import('../packages/server/test/helpers/backend.helper.ts');
  const { STORE_FACTORIES, QUEUE_FACTORIES } = await import('../packages/server/src/index.ts');
  const { pino } = await import('pino');
  const cluster = new Cluster('bench-service', { OCRFLOW_LOG_LEVEL: 'error', OCRFLOW_QUEUE_MAX: '1000000', ...STREAM_CAPS });
  const [a, b] = [new Client(), new Client()];
  try {
    const api = await cluster.start('api');
    const config = loadConfig({ env: { OCRFLOW_DATA_DIR: os.tmpdir(), ...backendEnv('bench-service') } });
    const log = pino({ level: 'silent' });
    const store = await STORE_FACTORIES.postgres(config, log);
    const q = await QUEUE_FACTORIES.bullmq(config, log, store);
    try {
      const ids = await submitJobs(api.url, EVENTS, mp);
      return await eventLatency(a, b, api.url, ids, store, q.bus, null);
    } finally {
      await q.queue.close();
      await q.bus.close();
      await q.taskBus?.close();
      await q.closeConnections?.();
      await store.close();
    }
  } finally {
    a.close();
    b.close();
    await cluster.stop();
  }
}

/** bench.webhooks' dispatcher figures, from its own process (its options decide the load). */
function webhooks(only: string, extra: string[]): Record<string, unknown> | null {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bench.webhooks.ts'), '--only', only, '--json', ...extra], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench.webhooks ${only}: exit ${r.status}\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, Record<string, unknown> | null>;
  return only === 'latency' ? out.dispatcher_latency : out.dispatcher_drain;
}

const loadStart = loadAvg();
const mp = await multipart();
const client = new Client();
// The hello world always runs: every figure is read beside it.
const hello = await helloWorld(client, mp);
const submit = PARTS.has('submissions') ? await submissions(client, mp) : null;
client.close();
const eventsEmb = PARTS.has('events') ? await eventsEmbedded(mp) : null;
const waiting = PARTS.has('waiting') ? await waitingClients(mp) : null;
const eventsScl = PARTS.has('scaled') ? await eventsScaled(mp) : null;
const whLatency = PARTS.has('webhooks') ? webhooks('latency', ['--jobs', '1000', '--rate', '100', '--concurrency', String(WEBHOOK_CONCURRENCY)]) : null;
const whDrain = PARTS.has('webhooks') ? webhooks('drain', ['--jobs', String(DRAIN_ROWS), '--concurrency', String(WEBHOOK_CONCURRENCY)]) : null;
const result = {
  cores: os.availableParallelism(),
  load_start: loadStart,
  load_end: loadAvg(),
  clients: CLIENTS,
  seconds: SECONDS,
  hello,
  submissions: submit,
  events_embedded: eventsEmb,
  events_scaled: eventsScl,
  waiting_clients: waiting,
  webhooks_latency: whLatency,
  webhooks_drain: whDrain,
};
if (asJson) console.log(JSON.stringify(result));
else printTable(result);
process.exit(0);

function printTable(r: typeof result): void {
  const h = r.hello.get.per_s;
  const x = (v: number) => `${(v / h).toFixed(2)}× hello`;
  console.log(`service throughput · ${r.cores} cores, load average at start ${r.load_start.join(' ')}, at end ${r.load_end.join(' ')} (shared machine)`);
  console.log(
    `hello world (Fastify, ${r.clients} clients, ${r.seconds} s): GET ${h}/s (p50 ${r1(r.hello.get.p50_ms)} ms, p99 ${r1(r.hello.get.p99_ms)} ms); POST of the submission body ${r.hello.post.per_s}/s (p99 ${r1(r.hello.post.p99_ms)} ms)`,
  );
  const s = r.submissions;
  if (s)
    console.log(
      `submissions (embedded, workers not started): ${s.per_s}/s = ${x(s.per_s)} (${r1((s.per_s / r.hello.post.per_s) * 100)} % of hello POST); p50 ${r1(s.p50_ms)} ms, p99 ${r1(s.p99_ms)} ms; statuses ${JSON.stringify(s.statuses)}; rows ${s.rows} for ${s.ok} accepted`,
    );
  for (const [name, e] of [
    ['embedded', r.events_embedded],
    ['scaled (api child + this process as worker, PostgreSQL + Redis)', r.events_scaled],
  ] as const) {
    if (!e) console.log(`events ${name}: skipped`);
    else
      console.log(
        `events ${name}: ${e.events} events, long-poll p50 ${e.long_poll.p50_ms} ms, p99 ${e.long_poll.p99_ms} ms (hello p99 ${r1(r.hello.get.p99_ms)} ms); SSE p50 ${e.sse.p50_ms} ms, p99 ${e.sse.p99_ms} ms`,
      );
  }
  const w = r.waiting_clients;
  if (w)
    console.log(
      `waiting clients: ${w.waiters} long-polls on ${w.jobs} jobs held by one process; RSS ${w.rss_before_mb} MB before, ${w.rss_holding_mb} MB holding them (peak ${w.rss_peak_mb} MB); all parked in ${w.park_ms} ms (${w.connect_retries} connects retried); event → last waiter of the job p50 ${w.wake_last_waiter_per_job.p50_ms} ms, p99 ${w.wake_last_waiter_per_job.p99_ms} ms`,
    );
  if (r.webhooks_latency) console.log(`webhooks latency (bench.webhooks): ${JSON.stringify(r.webhooks_latency)}`);
  if (r.webhooks_drain) console.log(`webhooks drain (bench.webhooks): ${JSON.stringify(r.webhooks_drain)}`);
}
