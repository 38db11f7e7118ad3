/**
 * `ocrflow submit <folder>` as a child process against a real service: the folder goes as one
 * batch (task ids from the paths, one signed webhook when all ended), `--wait` follows it to the
 * end, the same command with the same `--batch-id` finds the batch, and flags that make no sense
 * for a batch are usage errors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyWebhook } from '@ocrflow/client';
import { dataset, makePdf, SMALL_TABLE, textPage } from '../../server/test/helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.helper.ts';
import { startReceiver, type Receiver } from '../../client/test/helpers/receiver.helper.ts';
import { json, runCli } from './helpers/cli.helper.ts';

const TOKEN = 'cli-batch-token';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
let srv: TestServer;
let receiver: Receiver;
let dir: string;
let flags: string[];

before(async () => {
  receiver = await startReceiver();
  srv = await startTestServer({ env: { OCRFLOW_TOKENS: TOKEN, OCRFLOW_WEBHOOK_SECRET: SECRET, OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1' } });
  flags = ['--server', srv.url, '--token', TOKEN];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-cli-batch-'));
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'a.png'), dataset(SMALL_TABLE));
  fs.writeFileSync(path.join(dir, 'sub', 'b.pdf'), makePdf([textPage(1), textPage(2)]));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a document');
});
after(async () => {
  await srv?.close();
  await receiver?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  batch: { id: string; batch_id: string; state: string; total: number; pages_done: number; pages_total: number };
  jobs: { file: string; id: string; task_id: string; status: string }[];
  total: number;
  succeeded: number;
  failed: number;
}

test('a folder is one batch: --wait follows it, one webhook; the same --batch-id again finds it', async () => {
  const r = await runCli([
    'submit',
    dir,
    '--wait',
    '--batch-id',
    'cli-folder',
    '--task-id',
    'inv',
    '--webhook',
    receiver.url,
    '--mode',
    'text',
    '--json',
    ...flags,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const s = json<Summary>(r);
  assert.deepEqual([s.batch.batch_id, s.batch.state, s.batch.total, s.batch.pages_done, s.batch.pages_total], ['cli-folder', 'ended', 2, 3, 3]);
  assert.deepEqual(
    s.jobs.map((j) => [path.relative(dir, j.file), j.task_id, j.status]),
    [
      ['a.png', 'inv/a.png', 'finished'],
      [path.join('sub', 'b.pdf'), 'inv/sub/b.pdf', 'finished'],
    ],
  );
  assert.deepEqual([s.total, s.succeeded, s.failed], [2, 2, 0]);

  const hook = await receiver.waitFor((h) => h.body.includes('batch.ended'));
  const payload = verifyWebhook(hook.body, hook.headers as Record<string, string>, SECRET) as unknown as { id: string; batch_id: string };
  assert.deepEqual([payload.id, payload.batch_id], [s.batch.id, 'cli-folder']);

  const again = await runCli(['submit', dir, '--batch-id', 'cli-folder', '--task-id', 'inv', '--webhook', receiver.url, '--mode', 'text', ...flags]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`batch ${s.batch.id} \\(cli-folder\\): 2 document`));
  assert.deepEqual(
    again.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0]),
    s.jobs.map((j) => j.id),
  );
  assert.equal(receiver.received.filter((h) => h.body.includes('batch.ended')).length, 1);
});

test('usage errors: --webhook-events and --batch-id do not fit; a refused batch exits 1', async () => {
  const ev = await runCli(['submit', dir, '--webhook', receiver.url, '--webhook-events', 'progress', ...flags]);
  assert.equal(ev.code, 2, ev.stderr);
  const single = await runCli(['submit', path.join(dir, 'a.png'), '--batch-id', 'x', ...flags]);
  assert.equal(single.code, 2, single.stderr);
  const conflict = await runCli(['submit', dir, '--batch-id', 'cli-folder', '--mode', 'layout', '--json', ...flags]);
  assert.equal(conflict.code, 1, conflict.stderr);
  assert.deepEqual(
    json<{ jobs: { error: { code: string } }[] }>(conflict).jobs.map((j) => j.error.code),
    ['OCRFLOW_ERR_BATCH_ID_CONFLICT', 'OCRFLOW_ERR_BATCH_ID_CONFLICT'],
  );
});
