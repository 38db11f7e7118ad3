/**
 * Scaled-shape benchmark, run by `npm run bench` (or alone:
 * `node --import tsx scripts/bench.scaled.ts [--jobs 60] [--workers 1,2] [--ocr-threads 1] [--json]`).
 *
 * A real deployment on PostgreSQL + Redis (127.0.0.1, or OCRFLOW_TEST_DATABASE_URL /
 * OCRFLOW_TEST_REDIS_URL): one `ocrflow serve --role api` and N `--role worker --concurrency 1`
 * child processes, for each N of --workers. Each worker warms up on one job first. Then `--jobs`
 * real jobs (a small table image, mode text: cheap real OCR) are submitted through the API by 8
 * concurrent clients while the workers already run them, and every job is followed by a long-poll
 * on the API until `finished`. Reported per N:
 *
 * - submission: accepted jobs per second (202s over the submission phase) and its latency p50/p99;
 * - end to end: submit → `finished` seen by the client, p50/p99, and job throughput (jobs / time
 *   from the first submission to the last finish);
 * - fan-out: the `finished` event's commit time (written by a worker process) → the long-poll on
 *   the API process returning it, p50/p99 (Redis pub/sub wake-up);
 * - CPU seconds of every child process (from /proc), per job.
 *
 * and the ratio of job throughput (and of end-to-end p50) between the largest and the smallest N.
 * First, without OCR: the Redis bus alone — 1 000 job events published by one process's bus (its
 * own connections) and received by another's listener, publish → listener p50/p99.
 * On a 2-core machine, 2 worker processes can at best use the second core: ONNX runs with
 * --ocr-threads (default 1) per process so one worker uses one core and the ratio shows what the
 * second process adds; the API, PostgreSQL and Redis share the same two cores.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const JOBS = Number(opt('jobs', '60'));
const WORKERS = opt('workers', '1,2').split(',').map(Number);
const OCR_THREADS = opt('ocr-threads', '1');
const JSON_OUT = args.includes('--json');
const CLIENTS = 8;

process.env.OCRFLOW_TEST_DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/test';
process.env.OCRFLOW_TEST_REDIS_URL ||= 'redis://127.0.0.1:6379';

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

if (!(await reachable(process.env.OCRFLOW_TEST_DATABASE_URL, 5432)) || !(await reachable(process.env.OCRFLOW_TEST_REDIS_URL, 6379))) {
  console.log('scaled bench: PostgreSQL or Redis is not reachable on 127.0.0.1; skipped');
  process.exit(0);
}

// Imported after the environment is set: the helpers read it at load time.
const { Cluster } = await import('../packages/server/test/scaled/helpers/cluster.helper.ts');
const { Api } = await import('../packages/server/test/helpers/api.helper.ts');
const { dataset, SMALL_TABLE } = await import('../packages/server/test/helpers/fixtures.helper.ts');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** utime + stime of a process, seconds (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Result {
  workers: number;
  jobs: number;
  submit_per_s: number;
  submit_p50_ms: number;
  submit_p99_ms: number;
  e2e_p50_ms: number;
  e2e_p99_ms: number;
  jobs_per_s: number;
  fanout_p50_ms: number;
  fanout_p99_ms: number;
  cpu_s_per_job: number;
  wall_s: number;
}

async function run(workers: number): Promise<Result> {
  const cluster = new Cluster(`bench-${workers}`, { OCRFLOW_LOG_LEVEL: 'error', OCRFLOW_OCR_THREADS: OCR_THREADS });
  try {
    const apiProc = await cluster.start('api');
    const ws = [];
    for (let i = 0; i < workers; i++) ws.push(await cluster.start('worker', { concurrency: 1 }));
    const api = new Api(apiProc.url);
    const img = dataset(SMALL_TABLE);
    // Warm-up: one job per worker (engine sessions, JIT) before anything is measured.
    await Promise.all(Array.from({ length: workers }, async (_, i) => api.waitDone((await api.submit(img, `warm-${i}.png`, { mode: 'text' })).id)));

    const procs = cluster.processes;
    const cpu0 = procs.map((p) => cpuSeconds(p.child.pid));
    const t0 = performance.now();
    const submitMs: number[] = [];
    const e2eMs: number[] = [];
    const fanoutMs: number[] = [];
    const follows: Promise<void>[] = [];
    let next = 0;
    let lastFinish = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < JOBS) {
          const i = next++;
          const s0 = performance.now();
          const job = await api.submit(img, `bench-${i}.png`, { mode: 'text' });
          submitMs.push(performance.now() - s0);
          follows.push(
            (async () => {
              let since = 0;
              for (;;) {
                const p = await api.poll(job.id, { since_seq: since, timeout_ms: 30_000 });
                const at = Date.now();
                const fin = p.events.find((e) => e.type === 'finished');
                if (fin) {
                  fanoutMs.push(at - Date.parse(fin.time as string));
                  e2eMs.push(performance.now() - s0);
                  lastFinish = Math.max(lastFinish, performance.now());
                  return;
                }
                if (p.done) throw new Error(`job ${job.id} ended without finishing`);
                since = p.last_seq;
              }
            })(),
          );
        }
      }),
    );
    const submitWall = (performance.now() - t0) / 1000;
    await Promise.all(follows);
    const cpu = procs.reduce((n, p, i) => n + (cpuSeconds(p.child.pid) - cpu0[i]), 0);
    const wall = (lastFinish - t0) / 1000;
    return {
      workers,
      jobs: JOBS,
      submit_per_s: r1(JOBS / submitWall),
      submit_p50_ms: r1(pct(submitMs, 50)),
      submit_p99_ms: r1(pct(submitMs, 99)),
      e2e_p50_ms: Math.round(pct(e2eMs, 50)),
      e2e_p99_ms: Math.round(pct(e2eMs, 99)),
      jobs_per_s: r2(JOBS / wall),
      fanout_p50_ms: pct(fanoutMs, 50),
      fanout_p99_ms: pct(fanoutMs, 99),
      cpu_s_per_job: r2(cpu / JOBS),
      wall_s: r1(wall),
    };
  } finally {
    await cluster.stop();
  }
}

/** The bus alone: publish in "process" A → listener in "process" B (separate Redis connections). */
async function busLatency(events = 1000): Promise<{ events: number; p50_ms: number; p99_ms: number; max_ms: number }> {
  const { loadConfig } = await import('@ocrflow/core');
  const { pino } = await import('pino');
  const { QUEUE_FACTORIES, STORE_FACTORIES } = await import('../packages/server/src/index.ts');
  const { backendEnv } = await import('../packages/server/test/helpers/backend.helper.ts');
  const config = loadConfig({ env: { OCRFLOW_DATA_DIR: os.tmpdir(), ...backendEnv('bench-bus') } });
  const log = pino({ level: 'silent' });
  const store = await STORE_FACTORIES.postgres(config, log);
  const [a, b] = [await QUEUE_FACTORIES.bullmq(config, log, store), await QUEUE_FACTORIES.bullmq(config, log, store)];
  const lat: number[] = [];
  let got: (() => void) | null = null;
  b.bus.subscribe('bench', (e) => {
    lat.push(performance.now() - (e.data.t as number));
    got?.();
  });
  for (let i = 0; i < events; i++) {
    const arrived = new Promise<void>((r) => (got = r));
    await a.bus.publish({ jobId: 'bench', seq: i + 1, type: 'running', status: 'running', createdAt: Date.now(), data: { t: performance.now() } });
    await arrived;
  }
  for (const q of [a, b]) {
    await q.queue.close();
    await q.bus.close();
    await q.taskBus?.close();
    await q.closeConnections?.();
  }
  await store.close();
  return { events, p50_ms: r2(pct(lat, 50)), p99_ms: r2(pct(lat, 99)), max_ms: r2(Math.max(...lat)) };
}

const bus = await busLatency();
const results: Result[] = [];
for (const n of WORKERS) results.push(await run(n));
const lo = results[0];
const hi = results[results.length - 1];
const ratio = {
  workers: `${hi.workers}/${lo.workers}`,
  jobs_per_s: r2(hi.jobs_per_s / lo.jobs_per_s),
  e2e_p50: r2(hi.e2e_p50_ms / lo.e2e_p50_ms),
  submit_per_s: r2(hi.submit_per_s / lo.submit_per_s),
};
const meta = { cores: os.availableParallelism(), loadavg: os.loadavg().map(r2), ocr_threads: Number(OCR_THREADS), clients: CLIENTS };

if (JSON_OUT) console.log(JSON.stringify({ meta, bus, results, ratio }));
else {
  console.log(
    `Redis bus alone: ${bus.events} events, publish → listener on other connections p50 ${bus.p50_ms} ms, p99 ${bus.p99_ms} ms, max ${bus.max_ms} ms`,
  );
  console.log(
    `scaled shape: 1 API + N workers (--concurrency 1, ONNX threads ${OCR_THREADS}) on PostgreSQL + Redis; ${JOBS} jobs of a small table image, mode text, ${CLIENTS} clients`,
  );
  console.log(`cores ${meta.cores}, load average ${meta.loadavg.join(' ')}`);
  for (const r of results)
    console.log(
      `  ${r.workers} worker${r.workers > 1 ? 's' : ' '}: submit ${r.submit_per_s} jobs/s (p50 ${r.submit_p50_ms} ms, p99 ${r.submit_p99_ms} ms) · end to end p50 ${r.e2e_p50_ms} ms, p99 ${r.e2e_p99_ms} ms · ${r.jobs_per_s} jobs/s (wall ${r.wall_s} s) · fan-out p50 ${r.fanout_p50_ms} ms, p99 ${r.fanout_p99_ms} ms · CPU ${r.cpu_s_per_job} s/job`,
    );
  console.log(`  ratio ${ratio.workers} workers: job throughput ×${ratio.jobs_per_s}, end-to-end p50 ×${ratio.e2e_p50}, submission ×${ratio.submit_per_s}`);
}
