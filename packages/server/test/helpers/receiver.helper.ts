/**
 * A real webhook receiver on loopback (node:http) for the webhook tests and the bench: records
 * every request (headers, raw body, arrival time) and answers per path by a script — a status
 * code, a redirect, or `hang` (never answers; the sender's time-out has to end it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  /** 1-based count of requests to this path so far. */
  n: number;
}

export type Answer = number | 'hang' | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };
export type Script = (n: number, r: Received) => Answer;

export class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, Script>();
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private server!: http.Server;
  url = '';

  static async start(host = '127.0.0.1'): Promise<Receiver> {
    const r = new Receiver();
    r.server = http.createServer((req, res) => r.handle(req, res));
    r.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => r.server.listen(0, host, resolve));
    r.url = `http://${host}:${(r.server.address() as AddressInfo).port}`;
    return r;
  }

  /** Answer requests to `path` by `script` (default: 200 "ok"). */
  on(path: string, script: Script): this {
    this.scripts.set(path, script);
    return this;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once `count` requests reached `path` (or any path when null). */
  async waitFor(path: string | null, count = 1, timeoutMs = 30_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = path === null ? this.received : this.at(path);
      if (got.length >= count) return got;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: ${got.length}/${count} requests to ${path ?? '*'} after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = () => (clearTimeout(t), this.waiters.delete(done), resolve());
        const t = setTimeout(done, Math.min(left, 500));
        this.waiters.add(done);
      });
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const n = (this.counts.get(path) ?? 0) + 1;
      this.counts.set(path, n);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const rec: Received = { path, headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), n };
      this.received.push(rec);
      for (const w of [...this.waiters]) w();
      const a = (this.scripts.get(path) ?? (() => 200))(n, rec);
      if (a === 'hang') return; // keep the socket open without an answer
      const o = typeof a === 'number' ? { status: a } : a;
      const send = () => {
        res.writeHead(o.status, { 'content-type': 'text/plain', ...(o.headers ?? {}) });
        res.end(o.body ?? (o.status < 300 ? 'ok' : `status ${o.status}`));
      };
      if (o.delayMs) setTimeout(send, o.delayMs);
      else send();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
