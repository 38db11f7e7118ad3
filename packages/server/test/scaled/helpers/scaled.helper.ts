/**
 * Helpers of the backend-only tests (`*.pg.test.ts`, PostgreSQL + Redis): a config,
 * store and queue adapters per "deployment" key — two calls with the same key are two processes of
 * one deployment (same schema, same Redis prefix, separate connections) — and new job rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '@ocrflow/core';
import { QUEUE_FACTORIES, STORE_FACTORIES, type JobStore } from '../../../src/index.ts';
import type { QueueAdapters } from '../../../src/adapters/adapters.factory.ts';
import { backendEnv, scaledBackend } from '../../helpers/backend.helper.ts';

/** `skip` option of every test here when the pass has no PostgreSQL + Redis. */
export const SKIP = scaledBackend() ? false : 'needs OCRFLOW_TEST_DATABASE_URL and OCRFLOW_TEST_REDIS_URL (the PostgreSQL + Redis pass of scripts/test.mjs)';

export const silentLog = pino({ level: process.env.OCRFLOW_TEST_LOG_LEVEL ?? 'silent' });

const dirs: string[] = [];
process.on('exit', () => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

export function scaledConfig(key: string, env: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-scaled-test-'));
  dirs.push(dataDir);
  return loadConfig({ env: { OCRFLOW_DATA_DIR: dataDir, OCRFLOW_WORKERS: '1', OCRFLOW_LOG_LEVEL: 'silent', ...backendEnv(key), ...env } });
}

export async function openStore(config: Config): Promise<JobStore> {
  const store = await STORE_FACTORIES.postgres(config, silentLog);
  await store.migrate();
  return store;
}

export function openQueue(config: Config, store: JobStore): Promise<QueueAdapters> {
  return QUEUE_FACTORIES.bullmq(config, silentLog, store);
}

export async function closeQueue(q: QueueAdapters): Promise<void> {
  await q.queue.close();
  await q.bus.close();
  await q.taskBus?.close();
  await q.closeConnections?.();
}

export { newJob } from '../../helpers/jobs.helper.ts';

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, maxMs = 30_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
