/**
 * Webhook benchmark, run by `npm run bench` (or alone:
 * `node --import tsx scripts/bench.webhooks.ts [--jobs 1000] [--rate 20] [--delay-ms 100] [--e2e-jobs 200] [--down-jobs 100] [--concurrency 128] [--json]`).
 *
 * 1. dispatcher, no OCR: jobs are driven through the real terminal transition (claim + finish in
 *    the store, which writes the outbox rows in the same transaction, exactly as a worker does); a
 *    real loopback receiver in a process of its own answers each webhook after `delay-ms`.
 *    a. latency: 1 000 jobs finishing at `rate`/s → job finished → receiver got it, p50/p99;
 *    b. throughput: a backlog of 1 000 pending deliveries drained at OCRFLOW_WEBHOOK_CONCURRENCY.
 * 2. end to end: N real jobs (a tiny blank PNG, mode text: OCR cost is small) through the HTTP API
 *    and the worker threads, the same slow receiver: the same latency, job throughput.
 * 3. receivers down: the same jobs with a receiver that never answers (time-out 2 s) against no
 *    webhook at all: job throughput and `GET /v1/jobs/{id}` latency must not suffer.
 * CPU time (process.cpuUsage, worker threads included) is reported beside wall time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '@ocrflow/core';
import { startService, type RunningService } from '../packages/server/src/index.ts';
import { Receiver } from '../packages/server/test/helpers/receiver.helper.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const JOBS = opt('jobs', 1000);
const RATE = opt('rate', 20);
const E2E_JOBS = opt('e2e-jobs', 200);
const DOWN_JOBS = opt('down-jobs', 100);
const DELAY_MS = opt('delay-ms', 100);
/** OCRFLOW_WEBHOOK_CONCURRENCY of the dispatchers measured (the drain's ceiling is concurrency / delay). */
const CONCURRENCY = String(opt('concurrency', 128));
const asJson = args.includes('--json');

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const r1 = (x: number) => Math.round(x * 10) / 10;

async function service(env: Record<string, string>, startWorkers = true): Promise<{ svc: RunningService; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-bench-wh-'));
  const config = loadConfig({
    env: {
      OCRFLOW_DATA_DIR: dir,
      OCRFLOW_HOST: '127.0.0.1',
      OCRFLOW_PORT: '0',
      OCRFLOW_LOG_LEVEL: 'silent',
      OCRFLOW_ANALYSIS: '0',
      OCRFLOW_WORKERS: '1',
      OCRFLOW_QUEUE_MAX: '100000',
      OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OCRFLOW_WEBHOOK_CONCURRENCY: CONCURRENCY,
      ...env,
    },
  });
  return { svc: await startService({ config, startWorkers }), dir };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

type Bench = { svc: RunningService; dir: string };

/** The receiver in its own process (scripts/bench-receiver.child.ts), so it takes no event-loop time from the dispatcher. */
class RemoteReceiver {
  private next = 1;
  private readonly pending = new Map<number, (v: unknown) => void>();
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: { id: number; value: unknown }) => {
      this.pending.get(m.id)?.(m.value);
      this.pending.delete(m.id);
    });
  }

  static start(): Promise<RemoteReceiver> {
    const child = fork(path.join(import.meta.dirname, 'bench-receiver.child.ts'), ['--delay-ms', String(DELAY_MS)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('message', (m: { value: string }) => resolve(new RemoteReceiver(child, m.value)));
    });
  }

  private ask<T>(op: string, p?: string): Promise<T> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (v: unknown) => void);
      this.child.send({ id, op, path: p });
    });
  }

  open = () => this.ask<null>('open');
  count = (p: string) => this.ask<number>('count', p);
  dump = (p: string) => this.ask<{ at: number; jobId: string }[]>('dump', p);
  close = () => this.ask<null>('close');

  async waitFor(p: string, n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.count(p)) < n) {
      if (Date.now() > deadline) throw new Error(`receiver: fewer than ${n} requests to ${p} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Drive one job through the real terminal transition (insert, claim, finish: the outbox rows are written by the store's hook). */
async function finishJob(b: Bench, i: number, url: string): Promise<{ id: string; finishedAt: number }> {
  const { newJobId } = await import('../packages/server/src/util/ids.ts');
  const store = b.svc.adapters.store;
  const id = newJobId();
  const now = Date.now();
  await store.insertJob({
    id,
    tenant: 'default',
    taskId: `bench-${i}`,
    engine: 'paddle',
    mode: 'text',
    languages: ['en'],
    prompt: null,
    webhookUrl: url,
    filename: 'x.png',
    mime: 'image/png',
    sizeBytes: 1,
    sha256: '0'.repeat(64),
    contentHash: String(i).padStart(64, '0'),
    sourceKey: `jobs/${id}/source`,
    pageCount: 1,
    metrics: {},
    options: {},
    now,
  });
  await store.claimJob(id, 'bench', now + 60_000, now);
  const t = await store.finishJob(id, 'bench', { resultKey: `jobs/${id}/result`, metrics: {} }, Date.now());
  await b.svc.adapters.bus.publish(t!.event); // what the runner does after the commit: wakes the dispatcher
  return { id, finishedAt: t!.job.finishedAt! };
}

/**
 * 1a. Latency: JOBS jobs finish at a steady RATE per second (each started on its schedule, not
 * after the previous one, as jobs of several workers end); the receiver answers after DELAY_MS.
 */
async function benchDispatcherLatency() {
  const rx = await RemoteReceiver.start();
  const b = await service({}, false);
  const finishedAt = new Map<string, number>();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < JOBS; i++) {
    const wait = t0 + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(finishJob(b, i, `${rx.url}/slow`).then((f) => void finishedAt.set(f.id, f.finishedAt)));
  }
  await Promise.all(running);
  const produced = Date.now() - t0;
  await rx.waitFor('/slow', JOBS, 600_000);
  const wall = Date.now() - t0;
  const cpu = cpuSince(cpu0);
  const lat = (await rx.dump('/slow')).map((r) => r.at - finishedAt.get(r.jobId)!);
  await b.svc.close();
  await rx.close();
  fs.rmSync(b.dir, { recursive: true, force: true });
  return {
    jobs: JOBS,
    jobs_per_s: RATE,
    produced_per_s: r1(JOBS / (produced / 1000)),
    receiver_delay_ms: DELAY_MS,
    latency_ms: { p50: r1(pct(lat, 50)), p99: r1(pct(lat, 99)), max: r1(Math.max(...lat)) },
    wall_ms: wall,
    cpu_ms: Math.round(cpu),
  };
}

/**
 * 1b. Throughput: JOBS deliveries wait in the outbox (made by one process while the receiver held
 * every attempt open, then handed back at its shutdown); a second process on the same data dir
 * drains them against the slow receiver.
 */
async function benchDispatcherDrain() {
  const rx = await RemoteReceiver.start();
  const first = await service({ OCRFLOW_WEBHOOK_TIMEOUT_MS: '600000' }, false);
  const tt = Date.now();
  for (let i = 0; i < JOBS; i++) await finishJob(first, i, `${rx.url}/gate`);
  const transitionsMs = Date.now() - tt;
  await first.svc.close();
  await rx.open();
  const before = await rx.count('/gate');
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const config = loadConfig({
    env: {
      OCRFLOW_DATA_DIR: first.dir,
      OCRFLOW_HOST: '127.0.0.1',
      OCRFLOW_PORT: '0',
      OCRFLOW_LOG_LEVEL: 'silent',
      OCRFLOW_ANALYSIS: '0',
      OCRFLOW_WORKERS: '1',
      OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OCRFLOW_WEBHOOK_CONCURRENCY: CONCURRENCY,
    },
  });
  const second = await startService({ config, startWorkers: false });
  const started = Date.now() - t0;
  await rx.waitFor('/gate', before + JOBS, 600_000);
  const wall = Date.now() - t0;
  const cpu = cpuSince(cpu0);
  // How long an attempt took as the sender measured it (request → answer read), on the last 500
  // jobs: the rest of a slot's time is the dispatcher's own (claiming, rendering, recording).
  const sample = (await rx.dump('/gate')).slice(-500).map((r) => r.jobId);
  const durations: number[] = [];
  for (const id of sample)
    for (const d of await second.adapters.deliveries.listForJob(id)) for (const a of d.attempts) if (a.httpStatus === 200) durations.push(a.durationMs);
  await second.close();
  await rx.close();
  fs.rmSync(first.dir, { recursive: true, force: true });
  return {
    deliveries: JOBS,
    receiver_delay_ms: DELAY_MS,
    concurrency: second.config.webhookConcurrency,
    deliveries_per_s: r1(JOBS / (wall / 1000)),
    ceiling_per_s: r1((second.config.webhookConcurrency * 1000) / DELAY_MS),
    transitions_per_s: r1(JOBS / (transitionsMs / 1000)),
    wall_ms: wall,
    startup_ms: started,
    cpu_ms: Math.round(cpu),
    attempt_ms: { p50: r1(pct(durations, 50)), p99: r1(pct(durations, 99)) },
  };
}

/** Submit N tiny jobs over HTTP and wait for them all; returns per-job finish times and GET latencies sampled meanwhile. */
async function runJobs(svc: RunningService, n: number, fields: Record<string, string>) {
  const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  const ids: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    fd.append('mode', 'text');
    fd.append('task_id', `e2e-${i}`);
    fd.append('file', new Blob([new Uint8Array(png)]), 'blank.png');
    const r = await fetch(`${svc.url}/v1/jobs`, { method: 'POST', body: fd });
    if (r.status !== 202) throw new Error(`submit: ${r.status} ${await r.text()}`);
    ids.push(((await r.json()) as { id: string }).id);
  }
  const getMs: number[] = [];
  const finished = new Map<string, number>();
  while (finished.size < ids.length) {
    for (const id of ids) {
      if (finished.has(id)) continue;
      const g0 = performance.now();
      const j = (await (await fetch(`${svc.url}/v1/jobs/${id}`)).json()) as { status: string; finished_at: string | null };
      getMs.push(performance.now() - g0);
      if (j.status === 'finished') finished.set(id, Date.parse(j.finished_at!));
      else if (j.status === 'failed' || j.status === 'canceled') throw new Error(`job ${id} ${j.status}`);
      else break; // jobs finish in order: wait for this one
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = Math.max(...finished.values());
  return { finished, wall: last - t0, jobsPerS: r1(n / ((last - t0) / 1000)), getP50: r1(pct(getMs, 50)), getP99: r1(pct(getMs, 99)) };
}

/** 2. End to end with real (cheap) OCR and a slow receiver. */
async function benchEndToEnd() {
  const rx = await Receiver.start();
  rx.on('/slow', () => ({ status: 200, delayMs: DELAY_MS }));
  const { svc, dir } = await service({});
  const cpu0 = process.cpuUsage();
  const jobs = await runJobs(svc, E2E_JOBS, { webhook_url: `${rx.url}/slow` });
  await rx.waitFor('/slow', E2E_JOBS, 600_000);
  const cpu = cpuSince(cpu0);
  const lat = rx.at('/slow').map((r) => r.at - jobs.finished.get((JSON.parse(r.body) as { job_id: string }).job_id)!);
  await svc.close();
  await rx.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    jobs: E2E_JOBS,
    receiver_delay_ms: DELAY_MS,
    latency_ms: { p50: r1(pct(lat, 50)), p99: r1(pct(lat, 99)), max: r1(Math.max(...lat)) },
    jobs_per_s: jobs.jobsPerS,
    wall_ms: jobs.wall,
    cpu_ms: Math.round(cpu),
  };
}

/** 3. Receivers that never answer vs no webhooks: job throughput and API latency. */
async function benchReceiversDown() {
  const rx = await Receiver.start();
  rx.on('/down', () => 'hang');
  const runs: Record<'no_webhooks' | 'receivers_down', { jobsPerS: number; getP50: number; getP99: number; cpu: number }[]> = {
    no_webhooks: [],
    receivers_down: [],
  };
  // A B B A: the machine is shared, so each variant runs twice, once early and once late.
  for (const variant of ['no_webhooks', 'receivers_down', 'receivers_down', 'no_webhooks'] as const) {
    const { svc, dir } = await service({ OCRFLOW_WEBHOOK_TIMEOUT_MS: '2000', OCRFLOW_WEBHOOK_SCHEDULE: '1s,1s,1s' });
    const cpu0 = process.cpuUsage();
    const r = await runJobs(svc, DOWN_JOBS, variant === 'receivers_down' ? { webhook_url: `${rx.url}/down` } : {});
    runs[variant].push({ ...r, cpu: cpuSince(cpu0) });
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  await rx.close();
  const mean = (xs: number[]) => r1(xs.reduce((a, b) => a + b, 0) / xs.length);
  const sum = (v: keyof typeof runs) => ({
    jobs: DOWN_JOBS,
    jobs_per_s: mean(runs[v].map((x) => x.jobsPerS)),
    get_job_ms: { p50: mean(runs[v].map((x) => x.getP50)), p99: mean(runs[v].map((x) => x.getP99)) },
    cpu_ms_per_job: mean(runs[v].map((x) => x.cpu / DOWN_JOBS)),
    runs: runs[v].map((x) => x.jobsPerS),
  });
  return { no_webhooks: sum('no_webhooks'), receivers_down: sum('receivers_down') };
}

const only = (name: string) => !args.includes('--only') || args.includes(name);
const result = {
  dispatcher_latency: only('latency') ? await benchDispatcherLatency() : null,
  dispatcher_drain: only('drain') ? await benchDispatcherDrain() : null,
  end_to_end: only('e2e') ? await benchEndToEnd() : null,
  receivers_down: only('down') ? await benchReceiversDown() : null,
  cores: os.availableParallelism(),
  load_avg_1m: r1(os.loadavg()[0]),
};
if (asJson) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const l = result.dispatcher_latency;
  const d = result.dispatcher_drain;
  const e = result.end_to_end;
  const down = result.receivers_down;
  if (l)
    console.log(
      `webhooks · dispatcher latency: ${l.jobs} jobs finishing at ${l.jobs_per_s}/s (reached ${l.produced_per_s}/s), receiver ${l.receiver_delay_ms} ms: finished→received p50 ${l.latency_ms.p50} ms, p99 ${l.latency_ms.p99} ms, max ${l.latency_ms.max} ms; wall ${l.wall_ms} ms, CPU ${l.cpu_ms} ms`,
    );
  if (d)
    console.log(
      `webhooks · dispatcher drain: ${d.deliveries} pending deliveries, receiver ${d.receiver_delay_ms} ms, concurrency ${d.concurrency}: ${d.deliveries_per_s}/s (ceiling ${d.ceiling_per_s}/s); wall ${d.wall_ms} ms (start-up ${d.startup_ms} ms), CPU ${d.cpu_ms} ms; one attempt p50 ${d.attempt_ms.p50} ms, p99 ${d.attempt_ms.p99} ms; terminal transitions with outbox rows: ${d.transitions_per_s}/s`,
    );
  if (e)
    console.log(
      `webhooks · end to end: ${e.jobs} jobs (blank 64×32 PNG, mode text), receiver ${e.receiver_delay_ms} ms: finished→received p50 ${e.latency_ms.p50} ms, p99 ${e.latency_ms.p99} ms; ${e.jobs_per_s} jobs/s; wall ${e.wall_ms} ms, CPU ${e.cpu_ms} ms`,
    );
  if (down)
    console.log(
      `webhooks · receivers down (${DOWN_JOBS} jobs × 2 runs each, hang, 2 s time-out): ${down.receivers_down.jobs_per_s} jobs/s [${down.receivers_down.runs.join(', ')}] vs ${down.no_webhooks.jobs_per_s} [${down.no_webhooks.runs.join(', ')}] without webhooks; CPU/job ${down.receivers_down.cpu_ms_per_job} vs ${down.no_webhooks.cpu_ms_per_job} ms; GET /v1/jobs/{id} p50/p99 ${down.receivers_down.get_job_ms.p50}/${down.receivers_down.get_job_ms.p99} ms vs ${down.no_webhooks.get_job_ms.p50}/${down.no_webhooks.get_job_ms.p99} ms`,
    );
  console.log(`webhooks · ${result.cores} cores, load average ${result.load_avg_1m} at the end (the machine is shared)`);
}
process.exit(0);
