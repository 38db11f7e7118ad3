/**
 * Start the service for tests: in-process on a temporary data dir (real SQLite, real worker
 * threads, real loopback HTTP), or as a child process (`ocrflow serve`) that a test can kill -9.
 *
 * Parameterised by environment so the same suites run against other backends:
 * OCRFLOW_TEST_DATABASE_URL / OCRFLOW_TEST_REDIS_URL become OCRFLOW_DATABASE_URL / OCRFLOW_REDIS_URL
 * of every server started here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@ocrflow/core';
import { startService, type RunningService, type ServiceExtension } from '../../src/index.ts';
import { backendEnv } from './backend.helper.ts';
import { REPO_ROOT } from './fixtures.helper.ts';

/** The backend under test (empty = embedded SQLite + in-process queue); a schema and Redis prefix per test file. */
export { backendEnv };

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-server-test-'));
}

export function testEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OCRFLOW_DATA_DIR: dataDir,
    OCRFLOW_HOST: '127.0.0.1',
    OCRFLOW_PORT: '0',
    OCRFLOW_WORKERS: '1',
    OCRFLOW_LOG_LEVEL: process.env.OCRFLOW_TEST_LOG_LEVEL ?? 'silent',
    OCRFLOW_ANALYSIS: '0',
    ...backendEnv(dataDir),
    ...extra,
  };
}

export interface TestServer {
  url: string;
  dataDir: string;
  service: RunningService;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startTestServer(
  opts: { env?: Record<string, string>; dataDir?: string; startWorkers?: boolean; extensions?: ServiceExtension[] } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = loadConfig({ env: testEnv(dataDir, opts.env) });
  const service = await startService({ config, startWorkers: opts.startWorkers, extensions: opts.extensions });
  return {
    url: service.url,
    dataDir,
    service,
    async close({ keepData = false } = {}) {
      await service.close();
      if (!keepData && !opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
  /** SIGKILL (no shutdown code runs) or SIGTERM (graceful). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** `ocrflow serve` in a child process; resolves once it listens and /ready says so. */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'packages/cli/bin/ocrflow.mjs'), 'serve'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...testEnv(dataDir, env), NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${err}`)));
  });
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`${url}/ready`).catch(() => null);
    if (r?.ok) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    url,
    child,
    exited,
    stderr: () => err,
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

/** A migrated JobStore of the backend under test, on a fresh data dir. */
export async function openTestStore(): Promise<{ store: import('../../src/index.ts').JobStore; close(): Promise<void> }> {
  const { STORE_FACTORIES } = await import('../../src/index.ts');
  const { pino } = await import('pino');
  const dataDir = tempDataDir();
  const config = loadConfig({ env: testEnv(dataDir) });
  const store = await STORE_FACTORIES[config.storeKind](config, pino({ level: 'silent' }));
  await store.migrate();
  return {
    store,
    async close() {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
