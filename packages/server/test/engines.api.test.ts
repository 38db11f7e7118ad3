import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer } from './helpers/server.helper.ts';

interface EngineRow {
  name: string;
  kind: string;
  configured: boolean;
  default: boolean;
  ok: boolean;
  detail: string;
}

/** A stand-in OpenAI-compatible endpoint: only `GET /v1/models` (what the vlm health check asks). */
async function modelsEndpoint(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'deepseek-ai/DeepSeek-OCR', object: 'model' }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

const endpoint = await modelsEndpoint();
// A port nothing listens on: the ppstructure health check must say so instead of hanging or throwing.
const closed = http.createServer();
await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
const deadPort = (closed.address() as AddressInfo).port;
await new Promise<void>((r) => closed.close(() => r()));

const server = await startTestServer({
  startWorkers: false,
  env: {
    OCRFLOW_TOKENS: 'secret-token',
    OCRFLOW_VLM_BASE_URL: endpoint.url,
    OCRFLOW_VLM_MODEL: 'deepseek-ai/DeepSeek-OCR',
    OCRFLOW_VLM_API_KEY: 'vlm-key',
    OCRFLOW_PPSTRUCTURE_URL: `http://127.0.0.1:${deadPort}`,
  },
});
after(async () => {
  await server.close();
  await endpoint.close();
});

async function engines(token = 'secret-token'): Promise<{ status: number; body: { engines?: EngineRow[]; error?: { code: string } } }> {
  const res = await fetch(`${server.url}/v1/engines`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { engines?: EngineRow[]; error?: { code: string } } };
}

test('GET /v1/engines lists every engine with kind, default and honest health', async () => {
  const { status, body } = await engines();
  assert.equal(status, 200);
  const byName = new Map(body.engines!.map((e) => [e.name, e]));
  assert.deepEqual([...byName.keys()].sort(), ['paddle', 'ppstructure', 'tesseract', 'vlm']);

  const paddle = byName.get('paddle')!;
  assert.equal(paddle.kind, 'local');
  assert.equal(paddle.default, true);
  assert.equal(paddle.ok, true, paddle.detail);
  assert.match(paddle.detail, /PP-OCRv4/);

  const tesseract = byName.get('tesseract')!;
  assert.equal(tesseract.ok, true, tesseract.detail);
  assert.match(tesseract.detail, /eng/);

  // The configured VLM endpoint was really asked, with its key, and serves the configured model.
  const vlm = byName.get('vlm')!;
  assert.equal(vlm.kind, 'remote');
  assert.equal(vlm.configured, true);
  assert.equal(vlm.ok, true, vlm.detail);
  assert.ok(
    endpoint.hits.some((h) => h.startsWith('GET /v1/models') && h.endsWith('Bearer vlm-key')),
    endpoint.hits.join('\n'),
  );

  // An unreachable PaddleOCR service is reported, not thrown.
  const pp = byName.get('ppstructure')!;
  assert.equal(pp.configured, true);
  assert.equal(pp.ok, false);
  assert.ok(pp.detail.length > 0);
});

test('GET /v1/engines is behind the Bearer token', async () => {
  const { status, body } = await engines('wrong');
  assert.equal(status, 401);
  assert.equal(body.error?.code, 'OCRFLOW_ERR_UNAUTHORIZED');
});

test('an unconfigured remote engine says which setting is missing', async () => {
  const plain = await startTestServer({ startWorkers: false });
  try {
    const res = await fetch(`${plain.url}/v1/engines`);
    const body = (await res.json()) as { engines: EngineRow[] };
    const vlm = body.engines.find((e) => e.name === 'vlm')!;
    assert.equal(vlm.configured, false);
    assert.equal(vlm.ok, false);
    assert.match(vlm.detail, /OCRFLOW_VLM_BASE_URL/);
  } finally {
    await plain.close();
  }
});
