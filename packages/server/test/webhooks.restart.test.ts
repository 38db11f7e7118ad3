/**
 * Deliveries survive kill -9: a real `ocrflow serve` child process, a real receiver on loopback.
 * One delivery is in flight (the receiver hangs) and one is pending after a 500 when the service
 * is killed; after a restart on the same data dir both are delivered, with the same webhook-id,
 * and the attempts recorded before the kill are still there.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { Api } from './helpers/api.helper.ts';
import { scaledBackend } from './helpers/backend.helper.ts';
import { makePdf, textPage } from './helpers/fixtures.helper.ts';
import { Receiver } from './helpers/receiver.helper.ts';
import { spawnServer, tempDataDir, type ChildServer } from './helpers/server.helper.ts';

const SECRET = `whsec_${Buffer.from('restart test secret 0123456789abcdef').toString('base64')}`;
const dirs: string[] = [];
const children: ChildServer[] = [];
let rx: Receiver | null = null;
after(async () => {
  for (const c of children) if (c.child.exitCode === null) await c.kill('SIGKILL');
  await rx?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Delivery {
  url: string;
  state: string;
  webhook_id: string;
  attempt_count: number;
  attempts: { n: number; http_status: number | null }[];
}

async function deliveries(api: Api, id: string): Promise<Delivery[]> {
  return (await api.json<{ deliveries: Delivery[] }>(`/v1/jobs/${id}/deliveries`)).body.deliveries;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, maxMs = 60_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('kill -9 with one delivery in flight and one pending: both are delivered after the restart', async () => {
  rx = await Receiver.start();
  let down = true;
  rx.on('/hang', () => (down ? 'hang' : 200));
  rx.on('/retry', (n) => (n === 1 ? 500 : 200));
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  // Long time-out: the hanging attempt is still in flight at the kill. The 2 s retry of /retry
  // falls after the kill, so it is pending on disk when the process dies.
  // With PostgreSQL + Redis other processes may share the outbox, so a restarted one does
  // not take over in-flight leases at start-up: they come back when they expire (time-out + 15 s).
  const timeoutMs = scaledBackend() ? '10000' : '60000';
  const env = {
    OCRFLOW_WEBHOOK_SECRET: SECRET,
    OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.0/8',
    OCRFLOW_WEBHOOK_TIMEOUT_MS: timeoutMs,
    OCRFLOW_WEBHOOK_SCHEDULE: '2s,2s',
  };
  let srv = await spawnServer(dataDir, env);
  children.push(srv);
  let api = new Api(srv.url);
  const pdf = makePdf([textPage(1)]);
  const a = await api.submit(pdf, 'a.pdf', { webhook_url: `${rx.url}/hang`, task_id: 'hang-1' });
  const b = await api.submit(pdf, 'b.pdf', { webhook_url: `${rx.url}/retry`, task_id: 'retry-1' });
  const [first] = await rx.waitFor('/hang', 1);
  await until('the 500 recorded', async () => (await deliveries(api, b.id))[0]?.attempt_count === 1);
  assert.equal((await deliveries(api, a.id))[0].state, 'sending', 'the hanging attempt is in flight');
  assert.equal((await deliveries(api, b.id))[0].state, 'pending', 'the retry is waiting on disk');
  assert.equal(rx.at('/retry').length, 1);
  await srv.kill('SIGKILL');

  down = false;
  srv = await spawnServer(dataDir, env);
  children.push(srv);
  api = new Api(srv.url);
  const [ra, rb] = await Promise.all([
    until('a delivered', async () => (await deliveries(api, a.id)).find((d) => d.state === 'delivered')),
    until('b delivered', async () => (await deliveries(api, b.id)).find((d) => d.state === 'delivered')),
  ]);
  assert.deepEqual(
    ra.attempts.map((x) => x.http_status),
    [200],
    'the attempt cut short by the kill is not counted',
  );
  assert.deepEqual(
    rb.attempts.map((x) => [x.n, x.http_status]),
    [
      [1, 500],
      [2, 200],
    ],
    'the attempt before the kill was kept',
  );
  const hang = rx.at('/hang');
  assert.equal(hang.length, 2);
  assert.equal(hang[1].headers['webhook-id'], first.headers['webhook-id'], 'receivers can deduplicate the resend');
  assert.equal(ra.webhook_id, first.headers['webhook-id']);
  const body = new Webhook(SECRET).verify(hang[1].body, hang[1].headers) as { task_id: string; status: string };
  assert.deepEqual([body.task_id, body.status], ['hang-1', 'finished']);
  assert.equal(rx.at('/retry').length, 2);
  assert.equal((await api.job(a.id)).status, 'finished');
  assert.equal(await srv.kill('SIGTERM'), 0);
});
