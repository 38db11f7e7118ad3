/**
 * Start-up takes work as soon as the store is ready: while the OCR worker threads are still
 * loading their engines, `POST /v1/jobs` already answers 202 (the job waits in the durable queue),
 * and the job runs once the workers are up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { loadConfig } from '@ocrflow/core';
import { startService, type RunningService } from '../../src/index.ts';
import { Api, type Job } from '../helpers/api.helper.ts';
import { makePdf, textPage } from '../helpers/fixtures.helper.ts';
import { tempDataDir, testEnv } from '../helpers/server.helper.ts';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('jobs are accepted and queued while the workers are still starting; they run once the workers are up', async () => {
  const dataDir = tempDataDir();
  const port = await freePort();
  const config = loadConfig({ env: testEnv(dataDir, { OCRFLOW_PORT: String(port) }) });
  let started: RunningService | null = null;
  const starting = startService({ config }).then((s) => (started = s));
  const api = new Api(`http://127.0.0.1:${port}`);
  const pdf = makePdf([textPage(1)]);
  try {
    let accepted: { job: Job; beforeStartDone: boolean; workers: string | null } | null = null;
    const deadline = Date.now() + 60_000;
    while (!accepted && Date.now() < deadline) {
      const r = await api.submitRaw(pdf, 'early.pdf').catch(() => null); // refused until the port listens
      if (r?.status === 202) {
        const beforeStartDone = started === null;
        const ready = (await (await fetch(`${api.url}/ready`)).json()) as { workers?: string };
        accepted = { job: r.body, beforeStartDone, workers: ready.workers ?? null };
      } else {
        if (r) assert.deepEqual([r.status, r.body.error.code], [503, 'OCRFLOW_ERR_NOT_READY'], 'only "not ready yet" before that');
        await new Promise((res) => setTimeout(res, 10));
      }
    }
    assert.ok(accepted, 'a submission was accepted');
    assert.equal(accepted.beforeStartDone, true, 'accepted before start-up (the workers) had finished');
    assert.equal(accepted.job.status, 'queued');
    assert.ok(accepted.workers === 'starting' || accepted.workers === 'ok', `/ready says the workers are ${accepted.workers}`);
    await starting;
    const done = await api.waitDone(accepted.job.id, 60_000);
    assert.equal(done.status, 'finished', JSON.stringify(done.error));
  } finally {
    await starting.then((s) => s.close()).catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
