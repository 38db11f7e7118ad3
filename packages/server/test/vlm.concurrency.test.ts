/**
 * OCRFLOW_VLM_CONCURRENCY holds per process, over all OCR worker threads: the real service with
 * two threads against a loopback stand-in of an OpenAI-compatible endpoint that holds each answer
 * ~300 ms and records the most requests it had in flight (with limit 2 it must see 2, so a
 * working limit is told apart from pages sent one by one). And the pool frees the slots of a
 * thread that dies holding them.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '@ocrflow/core';
import { sharedInUse } from '@ocrflow/engines';
import { SharedSemaphore } from '@ocrflow/engines';
import { WorkerPool } from '../src/workers/worker.pool.ts';
import { Api } from './helpers/api.helper.ts';
import { dataset, SMALL_TABLE } from './helpers/fixtures.helper.ts';
import { startTestServer, tempDataDir, testEnv } from './helpers/server.helper.ts';

const MODEL = 'stand-in-vlm';
const HOLD_MS = 300;
const small = dataset(SMALL_TABLE);

interface Endpoint {
  url: string;
  chats: number;
  maxInFlight: number;
  close(): Promise<void>;
}

async function vlmEndpoint(): Promise<Endpoint> {
  let inFlight = 0;
  const ep: Endpoint = { url: '', chats: 0, maxInFlight: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model' }] }));
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return res.writeHead(404).end();
      ep.chats++;
      ep.maxInFlight = Math.max(ep.maxInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `c${ep.chats}`,
            object: 'chat.completion',
            model: MODEL,
            choices: [{ index: 0, message: { role: 'assistant', content: 'Table 1\n\nRead by the stand-in.' }, finish_reason: 'stop' }],
          }),
        );
      }, HOLD_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ep.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  ep.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return ep;
}

const endpoints: Endpoint[] = [];
after(() => Promise.all(endpoints.map((e) => e.close())));

/** Six single-page vlm jobs on two OCR threads; returns the endpoint's record. */
async function runJobs(concurrency: number): Promise<Endpoint> {
  const ep = await vlmEndpoint();
  endpoints.push(ep);
  const srv = await startTestServer({
    env: {
      OCRFLOW_WORKERS: '2',
      OCRFLOW_VLM_CONCURRENCY: String(concurrency),
      OCRFLOW_VLM_BASE_URL: ep.url,
      OCRFLOW_VLM_MODEL: MODEL,
      OCRFLOW_VLM_FALLBACK_ENGINE: 'none',
    },
  });
  try {
    const api = new Api(srv.url);
    const jobs = [];
    for (let i = 0; i < 6; i++) jobs.push(await api.submit(small, `p${i}.png`, { engine: 'vlm', mode: 'text' }));
    const done = await Promise.all(jobs.map((j) => api.waitDone(j.id, 60_000)));
    assert.deepEqual(
      done.map((j) => j.status),
      jobs.map(() => 'finished'),
    );
    assert.equal(ep.chats, 6, 'one request per page');
  } finally {
    await srv.close();
  }
  return ep;
}

test('OCRFLOW_VLM_CONCURRENCY=1 with two worker threads: one request in flight at a time', async () => {
  const ep = await runJobs(1);
  assert.equal(ep.maxInFlight, 1);
});

test('OCRFLOW_VLM_CONCURRENCY=2 with two worker threads: both threads send at once', async () => {
  const ep = await runJobs(2);
  assert.equal(ep.maxInFlight, 2);
});

test('a thread that dies holding a slot: the pool frees it when it sees the thread exit', async () => {
  const url = 'http://127.0.0.1:9/v1';
  const dir = tempDataDir();
  const config = loadConfig({ env: testEnv(dir, { OCRFLOW_ENGINE: 'vlm', OCRFLOW_VLM_BASE_URL: url, OCRFLOW_VLM_CONCURRENCY: '1' }) });
  const pool = new WorkerPool(1, pino({ level: 'silent' }), config);
  await pool.start();
  try {
    const first = pool.threadOf(0)!;
    // The slot taken under the thread's owner id, as its engine does mid-request; then it crashes.
    await new SharedSemaphore(pool.remoteLimits, url, first.limitsOwner, 1).acquire();
    assert.equal(sharedInUse(pool.remoteLimits, url), 1);
    first.injectFault();
    for (let i = 0; i < 200 && (first.alive || pool.spawned < 2); i++) await sleep(25);
    assert.equal(first.alive, false);
    assert.equal(sharedInUse(pool.remoteLimits, url), 0, "the dead thread's slot is free again");
    const next = (await pool.thread(0))!;
    assert.notEqual(next.limitsOwner, first.limitsOwner);
  } finally {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
