/** A webhook receiver on loopback for tests: records every request's raw body and headers. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves with the first request that `pred` accepts (already received or arriving later). */
  waitFor(pred: (r: Received) => boolean, maxMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export async function startReceiver(status = 200): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: { pred: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      for (const w of waiters.splice(0)) {
        if (w.pred(r)) w.resolve(r);
        else waiters.push(w);
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/ocr`,
    received,
    waitFor(pred, maxMs = 60_000) {
      const hit = received.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching webhook within ${maxMs} ms; got ${received.length}`)), maxMs);
        waiters.push({ pred, resolve: (r) => (clearTimeout(t), resolve(r)) });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
