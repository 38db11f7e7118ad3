/**
 * Hostile clients, part 1: clients that hold connections. Slow headers, slow bodies (with and
 * without a token), silent sockets, and floods of SSE streams and long-polls past the caps. The
 * server runs with short time-outs of its own, so every case ends in a few seconds; each client
 * also gives up by itself (`maxMs`), so a server that never closes fails instead of hanging.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { FsBlobStore } from '../../src/adapters/fs.blobs.ts';
import { Api, type ErrorBody } from '../helpers/api.helper.ts';
import { dataset, SMALL_TABLE } from '../helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../helpers/server.helper.ts';
import { openStream, trickle } from './hostile.helper.ts';

let srv: TestServer;
let jobId: string;
const TOKENS = ['tok-a', 'tok-b', 'tok-c'];
const MAX_STREAMS = 6;
const PER_CLIENT = 3;

before(async () => {
  srv = await startTestServer({
    // No workers: the job stays queued, so its event streams stay open as long as the test wants.
    startWorkers: false,
    env: {
      // One tenant: every client follows the same job; the stream caps count per token, not per tenant.
      OCRFLOW_TOKENS: TOKENS.map((t) => `flood:${t}`).join(','),
      OCRFLOW_HEADERS_TIMEOUT_MS: '600',
      OCRFLOW_REQUEST_TIMEOUT_MS: '1500',
      OCRFLOW_IDLE_TIMEOUT_MS: '1000',
      OCRFLOW_MAX_STREAMS: String(MAX_STREAMS),
      OCRFLOW_MAX_STREAMS_PER_CLIENT: String(PER_CLIENT),
      OCRFLOW_SSE_HEARTBEAT_MS: '300',
    },
  });
  jobId = (await new Api(srv.url, 'tok-a').submit(dataset(SMALL_TABLE), 'table.png')).id;
});
after(async () => {
  await srv.close();
});

function multipartHead(length: number, token?: string): { head: string; body: Buffer } {
  const boundary = 'hostileboundary';
  const pre = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="slow.png"\r\ncontent-type: image/png\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(pre), Buffer.alloc(length, 0x41), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const head =
    `POST /v1/jobs HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: ${body.length}\r\n` +
    (token ? `authorization: Bearer ${token}\r\n` : '') +
    '\r\n';
  return { head, body };
}

test('a body trickled one piece at a time is cut off at the request time-out (408), and leaves no temporary file', async () => {
  const { head, body } = multipartHead(4000, 'tok-a');
  // 16 bytes every 100 ms would need ~26 s for the whole body; the server allows 1.5 s.
  const r = await trickle(srv.url, { head, body, chunk: 16, everyMs: 100, maxMs: 15_000 });
  assert.equal(r.closedByServer, true, 'the server closed the connection');
  assert.ok(r.written < head.length + body.length, `cut off before the body was complete (${r.written} of ${head.length + body.length} bytes)`);
  assert.equal(r.status, 408, r.received.slice(0, 200));
  await waitFor(async () => (await (srv.service.adapters.blobs as FsBlobStore).tempCount()) === 0, 'the partial upload is removed');
});

test('without a token, a trickled body gets its 401 at once and the connection is closed, not drained', async () => {
  const { head, body } = multipartHead(4000);
  const r = await trickle(srv.url, { head, body, chunk: 16, everyMs: 100, maxMs: 15_000 });
  assert.equal(r.status, 401, r.received.slice(0, 200));
  assert.match(r.received, /\r\nconnection: close\r\n/i);
  assert.equal(r.closedByServer, true);
  assert.ok(r.written < head.length + body.length, `closed before the body was complete (${r.written} bytes written)`);
});

test('headers trickled one byte at a time are cut off at the headers time-out (408)', async () => {
  const head = `GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: ${'a'.repeat(400)}\r\n\r\n`;
  const r = await trickle(srv.url, { head, trickleHead: true, chunk: 1, everyMs: 50, maxMs: 15_000 });
  assert.equal(r.closedByServer, true);
  assert.ok(r.written < head.length, `cut off before the headers were complete (${r.written} of ${head.length} bytes)`);
  assert.ok(r.status === 408 || r.status === null, r.received.slice(0, 200));
});

test('a connection that never sends anything is closed', async () => {
  const r = await trickle(srv.url, { head: '', trickleHead: true, everyMs: 1000, maxMs: 15_000 });
  assert.equal(r.closedByServer, true);
});

test('SSE floods: per-client cap, then the global cap, each 429 OCRFLOW_ERR_TOO_MANY_STREAMS with Retry-After; closed streams free their slot', async () => {
  const url = `${srv.url}/v1/jobs/${jobId}/events`;
  const sse = (token: string) => openStream(url, { accept: 'text/event-stream', authorization: `Bearer ${token}` });
  const a = Array.from({ length: PER_CLIENT }, () => sse('tok-a'));
  assert.deepEqual(await Promise.all(a.map((s) => s.status)), Array(PER_CLIENT).fill(200));
  const overA = sse('tok-a');
  assert.equal(await overA.status, 429, 'one stream past the per-client cap');
  assert.ok(Number(await overA.retryAfter) >= 1, 'Retry-After');
  // A long-poll counts as a stream too.
  const poll = await new Api(srv.url, 'tok-a').json<ErrorBody>(`/v1/jobs/${jobId}/events?timeout_ms=5000`);
  assert.deepEqual([poll.status, poll.body.error.code], [429, 'OCRFLOW_ERR_TOO_MANY_STREAMS']);
  assert.equal(poll.body.error.details?.scope, 'client');
  // The compatibility long-poll as well.
  const compat = await new Api(srv.url, 'tok-a').json<ErrorBody>(`/longpoll/jobs/${jobId}?timeout_ms=5000`);
  assert.deepEqual([compat.status, compat.body.error.code], [429, 'OCRFLOW_ERR_TOO_MANY_STREAMS']);

  // Another client still gets its own streams, up to the global cap.
  const b = Array.from({ length: MAX_STREAMS - PER_CLIENT }, () => sse('tok-b'));
  assert.deepEqual(await Promise.all(b.map((s) => s.status)), Array(MAX_STREAMS - PER_CLIENT).fill(200));
  const c = await rawGet(`${url}`, { accept: 'text/event-stream', authorization: 'Bearer tok-c' });
  assert.equal(c.status, 429, 'the global cap refuses a third client');
  assert.equal(JSON.parse(c.body).error.details.scope, 'global');
  assert.equal(c.headers.connection, 'close', 'a refused stream does not keep its connection');
  assert.ok(Number(c.headers['retry-after']) >= 1);

  // Closing streams frees their slots.
  a[0].close();
  await waitFor(async () => (await sse('tok-c').status) === 200, 'a slot is free again after a stream closed');
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /^ocrflow_streams_refused_total\{scope="client"\} [3-9]\d*$/m);
  assert.match(metrics, /^ocrflow_streams_refused_total\{scope="global"\} [1-9]\d*$/m);
  for (const s of [...a, ...b]) s.close();
});

test('the server keeps answering while held streams and slow clients are around', async () => {
  const r = await fetch(`${srv.url}/health`);
  assert.equal(r.status, 200);
});

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting: ${what}`);
}
