import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletion, isOcrflowError, listModels, type OpenAiEndpoint } from '@ocrflow/core';

// A loopback stand-in of an OpenAI-compatible server: each test queues the answers it wants.
type Answer = { status: number; body: string; headers?: Record<string, string> };
const queue: Answer[] = [];
const seen: { method: string; url: string; auth?: string; body: string }[] = [];
let server: http.Server;
let baseUrl = '';

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
      const a = queue.shift() ?? { status: 500, body: '{"error":{"message":"no answer queued"}}' };
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});
after(() => server.close());

const endpoint = (over: Partial<OpenAiEndpoint> = {}): OpenAiEndpoint => ({
  baseUrl,
  apiKey: 'k',
  name: 'the test endpoint',
  timeoutMs: 2000,
  retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 5 },
  ...over,
});
const chat = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ choices: [{ message, finish_reason: 'stop' }], ...extra });
const reason = (e: unknown) => (isOcrflowError(e) ? e.details?.reason : undefined);

test('a completion: the body as given, the content, finish reason and token count', async () => {
  seen.length = 0;
  queue.push({ status: 200, body: chat({ content: 'hello' }, { usage: { completion_tokens: 3 } }) });
  const a = await chatCompletion(endpoint(), { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0 });
  assert.deepEqual(a, { content: 'hello', finishReason: 'stop', completionTokens: 3, attempts: 1 });
  assert.equal(seen[0].url, '/v1/chat/completions');
  assert.equal(seen[0].auth, 'Bearer k');
  assert.deepEqual(JSON.parse(seen[0].body), { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0 });
});

test('content given as parts is joined; a 503 is retried with the policy and counted', async () => {
  queue.push({ status: 503, body: '{"error":{"message":"warming up"}}', headers: { 'retry-after': '0' } });
  queue.push({
    status: 200,
    body: chat({
      content: [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ],
    }),
  });
  const a = await chatCompletion(endpoint({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } }), { model: 'm', messages: [] });
  assert.equal(a.content, 'ab');
  assert.equal(a.attempts, 2);
});

test('failures carry a machine-readable reason: HTTP status with the answer, not JSON, refusal, no content', async () => {
  queue.push({ status: 400, body: '{"error":{"message":"bad model"}}' });
  await assert.rejects(
    chatCompletion(endpoint(), {}),
    (e: unknown) => isOcrflowError(e) && e.code === 'OCRFLOW_ERR_ENGINE_FAILED' && e.details?.status === 400 && e.details?.answer === 'bad model',
  );
  queue.push({ status: 200, body: '<html>proxy error</html>' });
  await assert.rejects(chatCompletion(endpoint(), {}), (e: unknown) => reason(e) === 'not_json');
  queue.push({ status: 200, body: chat({ content: null, refusal: 'I cannot help with that' }) });
  await assert.rejects(
    chatCompletion(endpoint(), {}),
    (e: unknown) => reason(e) === 'refusal' && isOcrflowError(e) && e.details?.refusal === 'I cannot help with that',
  );
  queue.push({ status: 200, body: JSON.stringify({ choices: [] }) });
  await assert.rejects(chatCompletion(endpoint(), {}), (e: unknown) => reason(e) === 'no_content');
});

test('an endpoint that does not answer in time, and one that cannot be reached', async () => {
  // A port nothing listens on any more: the connection is refused.
  const gone = http.createServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
  const port = (gone.address() as AddressInfo).port;
  await new Promise<void>((r) => gone.close(() => r()));
  await assert.rejects(
    chatCompletion(endpoint({ baseUrl: `http://127.0.0.1:${port}/v1` }), {}),
    (e: unknown) => isOcrflowError(e) && e.code === 'OCRFLOW_ERR_ENGINE_UNAVAILABLE' && reason(e) === 'ECONNREFUSED',
  );
  const slow = http.createServer(() => {});
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`;
    await assert.rejects(chatCompletion(endpoint({ baseUrl: url, timeoutMs: 200 }), {}), (e: unknown) => reason(e) === 'timeout');
  } finally {
    slow.closeAllConnections();
    slow.close();
  }
});

test('models: the ids the endpoint lists', async () => {
  seen.length = 0;
  queue.push({ status: 200, body: JSON.stringify({ data: [{ id: 'a' }, { id: 'b' }, {}] }) });
  assert.deepEqual(await listModels(endpoint()), ['a', 'b']);
  assert.deepEqual([seen[0].method, seen[0].url], ['GET', '/v1/models']);
});
