/**
 * Workbench test helpers: a real service (SQLite, worker threads, loopback HTTP) started with
 * workbench options, an envelope-aware HTTP client, waiting for task states through the API's own
 * long-poll, a fetch gate that holds the long-poll fallback back (to order webhook/poll races), and
 * Standard Webhooks signing for the receiver tests.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig } from '@ocrflow/core';
import type { FetchLike } from '@ocrflow/client';
import { startService, type RunningService } from '../../../src/index.ts';
import type { WorkbenchOptions } from '../../../src/workbench/workbench.ts';
import { tempDataDir, testEnv } from '../../helpers/server.helper.ts';

export const SECRET = `whsec_${Buffer.from('ocrflow workbench test secret 0123456789').toString('base64')}`;

export interface Envelope<T = unknown> {
  success: boolean;
  message: string;
  data: T;
  code?: string;
}

export interface TaskView {
  id: string;
  task_id: string;
  filename: string;
  mime: string;
  size_bytes: number;
  status: string;
  error_message: string | null;
  ocr_job_id: string | null;
  page_count: number | null;
  table_count: number | null;
  workbook_version: number | null;
  image_path: string;
  ocr_json_path: string | null;
  excel_path: string | null;
  created_at: string;
  updated_at: string;
  transitions: { status: string; at: string }[];
}

export interface Sheet {
  name: string;
  rows: (string | number | null)[][];
  merges: { row: number; col: number; row_span: number; col_span: number }[];
}

export interface WbServer {
  url: string;
  dataDir: string;
  service: RunningService;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startWb(
  opts: { env?: Record<string, string>; dataDir?: string; startWorkers?: boolean; workbench?: WorkbenchOptions } = {},
): Promise<WbServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = loadConfig({ env: testEnv(dataDir, { OCRFLOW_WEBHOOK_SECRET: SECRET, ...opts.env }) });
  const service = await startService({ config, startWorkers: opts.startWorkers, workbench: opts.workbench });
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

/** A port free right now (for a server that must come back on the same address). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A port with nothing but a socket that drops every connection: a service that is down, on a port
 * no other process can take meanwhile. `release()` frees it for the real service.
 */
export async function downService(): Promise<{ port: number; release(): Promise<void> }> {
  const s = net.createServer((sock) => sock.destroy());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as net.AddressInfo).port, release: () => new Promise<void>((r) => s.close(() => r())) };
}

export class WbApi {
  constructor(readonly url: string) {}

  async call<T = unknown>(p: string, init: RequestInit = {}): Promise<{ status: number; body: Envelope<T>; res: Response }> {
    const res = await fetch(this.url + p, init);
    const text = await res.text();
    let body: Envelope<T>;
    try {
      body = JSON.parse(text) as Envelope<T>;
    } catch {
      throw new Error(`${init.method ?? 'GET'} ${p}: ${res.status} non-JSON body: ${text.slice(0, 200)}`);
    }
    // Every answer of the workbench API is the envelope.
    assert.equal(typeof body.success, 'boolean', `${p}: no envelope: ${text.slice(0, 200)}`);
    assert.equal(typeof body.message, 'string');
    assert.ok('data' in body);
    if (!body.success) {
      assert.equal(body.data, null);
      assert.match(String(body.code), /^OCRFLOW_ERR_/);
    }
    return { status: res.status, body, res };
  }

  upload(data: Buffer, filename: string, field = 'file') {
    const fd = new FormData();
    fd.append(field, new Blob([new Uint8Array(data)]), filename);
    return this.call<TaskView>('/api/v1/upload/image', { method: 'POST', body: fd });
  }

  async task(id: string): Promise<TaskView> {
    const r = await this.call<TaskView>(`/api/v1/tasks/${id}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.data;
  }

  /** Follow the task with the long-poll until it is in one of `statuses`. */
  async waitFor(id: string, statuses: string[], timeoutMs = 120_000): Promise<TaskView> {
    const deadline = Date.now() + timeoutMs;
    let t = await this.task(id);
    while (!statuses.includes(t.status)) {
      if (Date.now() > deadline) throw new Error(`task ${id} stayed ${t.status} (${t.error_message ?? ''}); wanted ${statuses.join('|')}`);
      const r = await this.call<TaskView>(
        `/api/v1/tasks/${id}/events?since=${encodeURIComponent(t.updated_at)}&timeout_ms=${Math.min(20_000, Math.max(1, deadline - Date.now()))}`,
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      t = r.body.data;
    }
    return t;
  }

  putTables(id: string, body: unknown) {
    return this.call<{ version: number }>(`/api/v1/tasks/${id}/tables`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}

/** Holds the client's requests to `/v1/jobs/{id}/events` (the long-poll fallback) until `open(id)`. */
export class PollGate {
  private readonly opened = new Set<string>();
  private readonly waiting = new Map<string, (() => void)[]>();
  held = 0;

  readonly fetch: FetchLike = async (input, init) => {
    const m = /\/v1\/jobs\/([^/?]+)\/events/.exec(String(input));
    if (m && !this.opened.has(m[1])) {
      this.held++;
      await new Promise<void>((resolve, reject) => {
        const list = this.waiting.get(m[1]) ?? [];
        list.push(resolve);
        this.waiting.set(m[1], list);
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
      });
    }
    return fetch(input, init);
  };

  open(jobId: string): void {
    this.opened.add(jobId);
    for (const r of this.waiting.get(jobId) ?? []) r();
    this.waiting.delete(jobId);
  }
}

/** Every file under the blob store's workbench prefix (a refused upload must leave none). */
export function workbenchFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'files', 'workbench');
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out;
}

export function tempFiles(dataDir: string): string[] {
  const d = path.join(dataDir, 'files', '.tmp');
  return fs.existsSync(d) ? fs.readdirSync(d) : [];
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, maxMs = 60_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
