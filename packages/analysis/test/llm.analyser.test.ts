import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyse, analyseBuiltin, validateAnalysis, type AnalysisLogger, type LlmAnswer } from '../src/index.ts';
import { RECEIPT } from './doc.helpers.ts';

// A stand-in for an OpenAI-compatible chat endpoint: it records each request and answers as the
// current test tells it to.
type Mode = 'valid' | 'timeout' | 'malformed' | 'schema' | 'http500' | 'fenced';
let mode: Mode = 'valid';
const requests: { url: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
let server: http.Server;
let baseUrl = '';

const ANSWER: LlmAnswer = {
  kind: 'receipt',
  fields: {
    company: { value: 'KEDAI RUNCIT MAJU SDN BHD', text: 'KEDAI RUNCIT MAJU SDN BHD' },
    date: { value: '12/01/2019', normalized: '2019-01-12', text: '12/01/2019' },
    address: { value: 'NO. 12, JALAN BUNGA RAYA 3, TAMAN MELATI, 53100 KUALA LUMPUR', text: 'NO. 12, JALAN BUNGA RAYA 3, TAMAN MELATI, 53100 KUALA LUMPUR' },
    total: { value: 22.55, currency: 'MYR', text: '22.55' },
    tax: { value: 1.28, currency: 'MYR', text: '1.28' },
    subtotal: null,
    invoice_number: { value: 'INV-2019-00042', text: 'INV-2019-00042' },
    receipt_number: null,
    phone: { value: '03-4142 1234', text: '03-4142 1234' },
    email: null,
    currency: { value: 'MYR', text: 'RM' },
    parties: [{ role: 'seller', value: 'KEDAI RUNCIT MAJU SDN BHD', text: 'KEDAI RUNCIT MAJU SDN BHD' }],
  },
};

function reply(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
const chat = (content: string) => ({
  id: 'x',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
});

before(async () => {
  server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(data) });
      switch (mode) {
        case 'valid':
          return reply(res, 200, chat(JSON.stringify(ANSWER)));
        case 'fenced':
          return reply(res, 200, chat('```json\n' + JSON.stringify(ANSWER) + '\n```'));
        case 'malformed':
          return reply(res, 200, chat('{"kind": "receipt", "fields": {"company": '));
        case 'schema':
          // The total as a string and an unknown kind: valid JSON, wrong shape.
          return reply(
            res,
            200,
            chat(JSON.stringify({ ...ANSWER, kind: 'letter', fields: { ...ANSWER.fields, total: { value: '22.55', currency: 'MYR', text: '22.55' } } })),
          );
        case 'http500':
          return reply(res, 500, { error: { message: 'model crashed' } });
        case 'timeout':
          setTimeout(() => reply(res, 200, chat(JSON.stringify(ANSWER))), 1500).unref();
          return;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function recorder(): AnalysisLogger & { warnings: { obj: Record<string, unknown>; msg: string }[] } {
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  return { warnings, warn: (obj, msg) => warnings.push({ obj, msg }), info: () => {} };
}

const config = () => ({ llmBaseUrl: baseUrl, llmModel: 'qwen2.5-7b-instruct', llmApiKey: 'sk-test', llmTimeoutMs: 300 });

beforeEach(() => {
  requests.length = 0;
});

test('LLM: the request is an OpenAI chat completion with structured output', async () => {
  mode = 'valid';
  await analyse(RECEIPT, config(), { logger: recorder() });
  assert.equal(requests.length, 1);
  const r = requests[0];
  assert.equal(r.url, '/v1/chat/completions');
  assert.equal(r.auth, 'Bearer sk-test');
  assert.equal(r.body.model, 'qwen2.5-7b-instruct');
  const messages = r.body.messages as { role: string; content: string }[];
  assert.deepEqual(
    messages.map((m) => m.role),
    ['system', 'user'],
  );
  assert.match(messages[1].content, /KEDAI RUNCIT MAJU SDN BHD/);
  assert.match(messages[1].content, /TOTAL \(RM\)/);
  const rf = r.body.response_format as { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[] } } };
  assert.equal(rf.type, 'json_schema');
  assert.equal(rf.json_schema.strict, true);
  assert.deepEqual(rf.json_schema.schema.required, ['kind', 'fields']);
});

test('LLM: a valid answer is used, with boxes found in the OCR lines', async () => {
  mode = 'valid';
  const log = recorder();
  const a = await analyse(RECEIPT, config(), { logger: log });
  assert.equal(a.analyser, 'llm');
  assert.equal(a.model, 'qwen2.5-7b-instruct');
  assert.equal(a.fallback_reason, undefined);
  assert.equal(a.kind, 'receipt');
  assert.equal(a.fields.company?.value, 'KEDAI RUNCIT MAJU SDN BHD');
  assert.deepEqual(a.fields.company?.bbox, [120, 40, 480, 80]);
  assert.equal(a.fields.date?.normalized, '2019-01-12');
  assert.equal(a.fields.total?.value, 22.55);
  assert.deepEqual(a.fields.total?.bbox, [470, 475, 540, 495]);
  // The address spans two rows: its box covers both.
  assert.deepEqual(a.fields.address?.bbox, [130, 115, 470, 160]);
  assert.ok(validateAnalysis(a).ok);
  assert.equal(log.warnings.length, 0);
  assert.ok(typeof a.timings_ms.llm === 'number');
});

test('LLM: an answer wrapped in a Markdown fence is still read', async () => {
  mode = 'fenced';
  const a = await analyse(RECEIPT, config(), { logger: recorder() });
  assert.equal(a.analyser, 'llm');
});

for (const [m, reason] of [
  ['timeout', /^timeout after 300 ms$/],
  ['malformed', /^malformed JSON/],
  ['schema', /^schema violation: .*\/kind.*|^schema violation: .*\/fields\/total\/value/],
  ['http500', /^HTTP 500: .*model crashed/],
] as [Mode, RegExp][]) {
  test(`LLM: ${m} falls back to the built-in analyser and is logged`, async () => {
    mode = m;
    const log = recorder();
    const a = await analyse(RECEIPT, config(), { logger: log });
    assert.equal(a.analyser, 'builtin');
    assert.match(a.fallback_reason ?? '', reason);
    assert.ok(validateAnalysis(a).ok, 'the fallback result is a valid analysis');
    // The fallback is the built-in analysis, not an empty shell.
    const builtin = analyseBuiltin(RECEIPT);
    assert.deepEqual(a.fields, builtin.fields);
    assert.equal(log.warnings.length, 1);
    assert.equal(log.warnings[0].obj.reason, a.fallback_reason);
    assert.match(log.warnings[0].msg, /built-in analyser/);
  });
}

test('LLM: an unreachable endpoint falls back', async () => {
  const log = recorder();
  const a = await analyse(RECEIPT, { ...config(), llmBaseUrl: 'http://127.0.0.1:9/v1' }, { logger: log });
  assert.equal(a.analyser, 'builtin');
  assert.match(a.fallback_reason ?? '', /^request failed/);
  assert.equal(log.warnings.length, 1);
});

test('analyse: without an LLM endpoint the built-in analyser runs and nothing is requested', async () => {
  const a = await analyse(RECEIPT, { llmBaseUrl: '', llmModel: '', llmApiKey: '', llmTimeoutMs: 1000 });
  assert.equal(a.analyser, 'builtin');
  assert.equal(a.fallback_reason, undefined);
  assert.equal(requests.length, 0);
});
