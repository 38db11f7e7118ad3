/**
 * A loopback HTTP server standing in for a remote service we cannot run here (a GPU VLM endpoint,
 * a PaddleOCR service). It records every request it receives so tests can check them, and it
 * counts requests in flight (to check concurrency limits).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export type Handler = (req: Received, res: http.ServerResponse, n: number) => void | Promise<void>;

export interface StandIn {
  /** http://127.0.0.1:PORT */
  origin: string;
  received: Received[];
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startStandIn(handler: Handler): Promise<StandIn> {
  const received: Received[] = [];
  let inFlight = 0;
  const s: StandIn = { origin: '', received, maxInFlight: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: Received = {
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      received.push(r);
      inFlight++;
      s.maxInFlight = Math.max(s.maxInFlight, inFlight);
      res.on('close', () => inFlight--);
      Promise.resolve(handler(r, res, received.length)).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
        res.end(`stand-in handler failed: ${e.message}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return s;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
