/**
 * Redis is a wake-up and an ordering, PostgreSQL the truth. With a Redis server of its
 * own (a `redis-server` child on a free port), the service keeps accepting jobs while Redis is
 * down (the job is committed; /health counts the queue from the database) and, when Redis comes
 * back empty — its data lost — puts the queued job into BullMQ again by itself and runs it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Api } from '../helpers/api.helper.ts';
import { makePdf, textPage } from '../helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../helpers/server.helper.ts';
import { SKIP, until } from './helpers/scaled.helper.ts';

let redis: ChildProcess | null = null;
let srv: TestServer | null = null;
after(async () => {
  await srv?.close();
  redis?.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await until(
    'redis-server listening',
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      }),
  );
  return child;
}

test('Redis down: jobs are still accepted; Redis back without its data: the queued job runs', { skip: SKIP, timeout: 180_000 }, async () => {
  const port = await freePort();
  redis = await startRedis(port);
  srv = await startTestServer({ env: { OCRFLOW_REDIS_URL: `redis://127.0.0.1:${port}` } });
  const api = new Api(srv.url);
  const first = await api.submit(makePdf([textPage(1)]), 'before.pdf');
  assert.equal((await api.waitDone(first.id)).status, 'finished');

  redis.kill('SIGKILL');
  await new Promise((r) => redis!.once('exit', r));
  const during = await api.submit(makePdf([textPage(2)]), 'during.pdf');
  assert.equal(during.status, 'queued', 'accepted and durable while Redis is down');
  const health = (await (await fetch(`${srv.url}/health`)).json()) as { queue_len: number };
  assert.equal(health.queue_len, 1, 'the queue length comes from the database meanwhile');
  const polled = await api.poll(during.id, { timeout_ms: 0 });
  assert.deepEqual(
    polled.events.map((e) => e.type),
    ['queued'],
  );

  // Back, but empty: the job exists only in PostgreSQL now.
  redis = await startRedis(port);
  const done = await api.waitDone(during.id, 60_000);
  assert.equal(done.status, 'finished');
  const events = (await api.poll(during.id, { timeout_ms: 0 })).events;
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  assert.equal(events.filter((e) => e.type === 'finished').length, 1);
  assert.match(await (await api.fetch(`/v1/jobs/${during.id}/result?format=text`)).text(), /Page 2 line 8/);
});
