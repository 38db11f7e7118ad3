/**
 * How the embedded service behaves while it recognises pages (run under the bench lock):
 *   flock /tmp/ocrflow-bench.lock node --import tsx packages/server/bench/api-latency.bench.ts
 * 1. Submission: N uploads of a small PNG with the workers held back (stream, sha256, inspect,
 *    fsync, rename, insert + event) — latency per submit and CPU per submit.
 * 2. Responsiveness: the report scan OCR'd by the worker pool while /health is probed every 50 ms
 *    and a long-poll waits; /health latency percentiles and the delay from an event's commit to the
 *    waiting long-poll's answer. CPU time is process-wide (all threads).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@ocrflow/core';
import { startService } from '../src/index.ts';

const DATA = path.resolve(import.meta.dirname, '../../../../shared/datasets');
const small = fs.readFileSync(path.join(DATA, 'pubtabnet-dev/pubtabnet-PMC3907710_006_00.png'));
const report = fs.readFileSync(path.join(DATA, 'cn-report-dev/report-scan.jpg'));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

async function upload(url: string, data: Buffer, name: string): Promise<{ id: string }> {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(data)]), name);
  const r = await fetch(`${url}/v1/jobs`, { method: 'POST', body: fd });
  if (r.status !== 202) throw new Error(`${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-bench-'));
const workers = process.env.OCRFLOW_WORKERS ?? '2';
const svc = await startService({ config: loadConfig({ env: { OCRFLOW_DATA_DIR: dir, OCRFLOW_PORT: '0', OCRFLOW_WORKERS: workers, OCRFLOW_LOG_LEVEL: 'silent', OCRFLOW_ANALYSIS: '0' } }), startWorkers: false });
try {
  const N = 200;
  const lat: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    await upload(svc.url, small, `s${i}.png`);
    lat.push(performance.now() - s);
  }
  const wall = performance.now() - t0;
  console.log(`submit x${N} (${small.length} B PNG): ${(N / (wall / 1000)).toFixed(0)}/s, p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms, CPU ${(cpuMs(process.cpuUsage(c0)) / N).toFixed(2)} ms/submit`);
  // Clear the queue, then OCR the report with the pool running.
  for (const j of ((await (await fetch(`${svc.url}/v1/jobs?status=queued&limit=100`)).json()) as { jobs: { id: string }[] }).jobs) await fetch(`${svc.url}/v1/jobs/${j.id}`, { method: 'DELETE' });
  while (((await (await fetch(`${svc.url}/health`)).json()) as { queue_len: number }).queue_len > 0) {
    for (const j of ((await (await fetch(`${svc.url}/v1/jobs?status=queued&limit=100`)).json()) as { jobs: { id: string }[] }).jobs) await fetch(`${svc.url}/v1/jobs/${j.id}`, { method: 'DELETE' });
  }
  await svc.startWorkers();
  const c1 = process.cpuUsage();
  const job = await upload(svc.url, report, 'report-scan.jpg');
  const health: number[] = [];
  let done = false;
  const probe = (async () => {
    while (!done) {
      const s = performance.now();
      await (await fetch(`${svc.url}/health`)).arrayBuffer();
      health.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const wake: number[] = [];
  let since = 0;
  while (!done) {
    const p = (await (await fetch(`${svc.url}/v1/jobs/${job.id}/events?since_seq=${since}&timeout_ms=30000`)).json()) as { events: { time: string; type: string }[]; last_seq: number; done: boolean };
    const now = Date.now();
    for (const e of p.events) if (since > 0) wake.push(now - Date.parse(e.time));
    since = p.last_seq;
    done = p.done;
  }
  await probe;
  const j = (await (await fetch(`${svc.url}/v1/jobs/${job.id}`)).json()) as { metrics: { run_ms: number; stages_ms: Record<string, number> } };
  console.log(`report-scan.jpg with ${workers} workers: run ${(j.metrics.run_ms / 1000).toFixed(1)} s, process CPU ${(cpuMs(process.cpuUsage(c1)) / 1000).toFixed(1)} s, stages ${JSON.stringify(j.metrics.stages_ms)}`);
  console.log(`/health during OCR: ${health.length} probes, p50 ${pct(health, 0.5).toFixed(1)} ms, p99 ${pct(health, 0.99).toFixed(1)} ms, max ${Math.max(...health).toFixed(1)} ms`);
  console.log(`long-poll wake-up after an event is committed: ${wake.map((w) => `${w} ms`).join(', ')}`);
} finally {
  await svc.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
