/**
 * A scaled deployment made of real `ocrflow serve --role …` child processes on PostgreSQL + Redis
 *: API processes on loopback ports, worker processes with a health port, one shared blob
 * directory, one webhook secret, one schema and Redis prefix (the deployment key). Used by the
 * cluster test and by `scripts/bench.scaled.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { backendEnv, backendName } from '../../helpers/backend.helper.ts';
import { REPO_ROOT } from '../../helpers/fixtures.helper.ts';

export const CLUSTER_SECRET = `whsec_${Buffer.from('ocrflow cluster test secret 0123456789').toString('base64')}`;

export interface ClusterProcess {
  role: 'api' | 'worker';
  /** API: its base URL; worker: its health URL. */
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export class Cluster {
  readonly processes: ClusterProcess[] = [];
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-cluster-'));
  readonly blobDir = path.join(this.root, 'blobs');
  private db: pg.Client | null = null;

  constructor(
    /** The deployment: its PostgreSQL schema and Redis prefix. */
    readonly key: string,
    private readonly env: Record<string, string> = {},
  ) {
    fs.mkdirSync(this.blobDir);
  }

  /** `ocrflow serve --role <role>`; resolves once it answers /ready. */
  async start(role: 'api' | 'worker', opts: { concurrency?: number; env?: Record<string, string> } = {}): Promise<ClusterProcess> {
    const n = this.processes.length;
    const args = [path.join(REPO_ROOT, 'packages/cli/bin/ocrflow.mjs'), 'serve', '--role', role];
    if (role === 'worker') args.push('--concurrency', String(opts.concurrency ?? 1), '--health-port', String(await freePort()));
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        OCRFLOW_HOST: '127.0.0.1',
        OCRFLOW_PORT: '0',
        OCRFLOW_DATA_DIR: path.join(this.root, `data-${role}-${n}`),
        OCRFLOW_BLOB_DIR: this.blobDir,
        OCRFLOW_WEBHOOK_SECRET: CLUSTER_SECRET,
        OCRFLOW_ANALYSIS: '0',
        OCRFLOW_LOG_LEVEL: process.env.OCRFLOW_TEST_LOG_LEVEL ?? 'warn',
        ...backendEnv(this.key),
        ...this.env,
        ...opts.env,
        NODE_OPTIONS: '',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} did not start:\n${err}`)), 90_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening on (\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then((code) => reject(new Error(`${role} exited with ${code}:\n${err}`)));
    });
    for (let i = 0; i < 900; i++) {
      const r = await fetch(`${url}/ready`).catch(() => null);
      if (r?.ok) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const p: ClusterProcess = {
      role,
      url,
      child,
      exited,
      stderr: () => err,
      async kill(signal) {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
    this.processes.push(p);
    return p;
  }

  /** A connection to the deployment's schema, for checks a client cannot make (who holds a lease). */
  async sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    if (!this.db) {
      this.db = new pg.Client({ connectionString: process.env.OCRFLOW_TEST_DATABASE_URL, options: `-c search_path=${backendName(this.key)}` });
      await this.db.connect();
    }
    return (await this.db.query<R>(text, values)).rows;
  }

  /** SIGTERM every live process (graceful shutdown); their exit codes, in start order. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.processes.map((p) => p.kill('SIGTERM')));
    await this.db?.end().catch(() => {});
    this.db = null;
    fs.rmSync(this.root, { recursive: true, force: true });
    return codes;
  }
}
