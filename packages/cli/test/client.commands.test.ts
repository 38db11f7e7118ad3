/**
 * The client commands as child processes against a real service (in-process on a temp data dir,
 * port 0, Bearer tokens): `submit --wait` with a webhook to a receiver on loopback (signature
 * verified with the SDK helper), then status, result in every format, jobs, wait, cancel/retry,
 * the error mapping to exit codes and `--json` error objects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { verifyWebhook, type Job } from '@ocrflow/client';
import { BAD_INPUTS, DATASETS, SMALL_TABLE } from '../../server/test/helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.helper.ts';
import { startReceiver, type Receiver } from '../../client/test/helpers/receiver.helper.ts';
import { freePort, json, runCli } from './helpers/cli.helper.ts';

const TOKEN = 'cli-test-token';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const SMALL_PATH = path.join(DATASETS, SMALL_TABLE);

let srv: TestServer;
let receiver: Receiver;
let tmp: string;
let flags: string[];
let finished: Job;

before(async () => {
  receiver = await startReceiver();
  srv = await startTestServer({ env: { OCRFLOW_TOKENS: TOKEN, OCRFLOW_WEBHOOK_SECRET: SECRET, OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1' } });
  flags = ['--server', srv.url, '--token', TOKEN];
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-cli-client-'));
});
after(async () => {
  await srv?.close();
  await receiver?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('against a running service', () => {
  test('submit --wait with a webhook: exit 0, --json summary, a signed webhook arrives', async () => {
    const r = await runCli(['submit', SMALL_PATH, '--wait', '--webhook', receiver.url, '--task-id', 'cli-1', '--mode', 'text', '--json', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const s = json<{
      jobs: { file: string; id: string; task_id: string; status: string; pages: number; done_pages: number; result_url: string; error: unknown }[];
      total: number;
      succeeded: number;
      failed: number;
    }>(r);
    assert.deepEqual([s.total, s.succeeded, s.failed], [1, 1, 0]);
    const [j] = s.jobs;
    assert.deepEqual([j.file, j.task_id, j.status, j.pages, j.done_pages, j.error], [SMALL_PATH, 'cli-1', 'finished', 1, 1, null]);
    assert.equal(j.result_url, `${srv.url}/v1/jobs/${j.id}/result`);

    const hook = await receiver.waitFor((h) => h.body.includes(j.id));
    assert.equal(hook.path, '/hooks/ocr');
    const payload = verifyWebhook(hook.body, hook.headers as Record<string, string>, SECRET);
    assert.deepEqual([payload.type, payload.job_id, payload.task_id, payload.status], ['job.finished', j.id, 'cli-1', 'finished']);
    assert.equal(payload.result_url, j.result_url);
    assert.ok(payload.result_dir && fs.existsSync(payload.result_dir), 'result_dir is a real directory on the server');
    assert.throws(() => verifyWebhook(hook.body, hook.headers as Record<string, string>, `whsec_${randomBytes(32).toString('base64')}`));

    // The same, read back with the server and token from the environment instead of flags.
    const st = await runCli(['status', j.id, '--json'], { env: { OCRFLOW_SERVER_URL: srv.url, OCRFLOW_TOKEN: TOKEN } });
    assert.equal(st.code, 0, st.stderr);
    finished = json<Job>(st);
    assert.deepEqual([finished.id, finished.status, finished.webhook_url], [j.id, 'finished', receiver.url]);
  });

  test('status, wait and result in every format', async () => {
    const id = finished.id;
    const human = await runCli(['status', id, ...flags]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^id\\s+${id}$`, 'm'));
    assert.match(human.stdout, /^status\s+finished$/m);
    assert.match(human.stdout, /^pages\s+1\/1$/m);

    const w = await runCli(['wait', id, '--json', ...flags]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(json<Job>(w).status, 'finished');

    const text = await runCli(['result', id, '-f', 'text', ...flags]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Magnitude/);
    const md = await runCli(['result', id, '--format', 'markdown', ...flags]);
    assert.match(md.stdout, /Magnitude/);
    const doc = await runCli(['result', id, '-f', 'json', ...flags]);
    const parsed = json<{ schema: string; pages: unknown[]; meta: { filename: string } }>(doc);
    assert.deepEqual([parsed.schema, parsed.pages.length, parsed.meta.filename], ['ocrflow.document/1', 1, path.basename(SMALL_PATH)]);

    const xlsxPath = path.join(tmp, 'small.xlsx');
    const x = await runCli(['result', id, '-f', 'xlsx', '-o', xlsxPath, '--json', ...flags]);
    assert.equal(x.code, 0, x.stderr);
    const info = json<{ id: string; format: string; output: string; bytes: number }>(x);
    assert.deepEqual([info.id, info.format, info.output], [id, 'xlsx', xlsxPath]);
    assert.equal(fs.statSync(xlsxPath).size, info.bytes);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxPath);
    assert.ok(wb.worksheets.length >= 1, 'a real workbook');
  });

  test('jobs: a table for people, JSON with filters for scripts', async () => {
    const t = await runCli(['jobs', ...flags]);
    assert.equal(t.code, 0, t.stderr);
    const [head, ...rows] = t.stdout.trimEnd().split('\n');
    assert.match(head, /^ID\s+TASK_ID\s+STATUS\s+PAGES\s+AGE\s+FILE$/);
    const row = rows.find((l) => l.startsWith(finished.id));
    assert.ok(row, t.stdout);
    assert.match(row, new RegExp(`^${finished.id}\\s+cli-1\\s+finished\\s+1/1\\s+\\d+[smhd]\\s+${path.basename(SMALL_PATH).replace(/\./g, '\\.')}$`));
    const j = await runCli(['jobs', '--task-id', 'cli-1', '--status', 'finished,failed', '--json', ...flags]);
    assert.deepEqual(
      json<{ jobs: Job[] }>(j).jobs.map((x) => x.id),
      [finished.id],
    );
    const none = await runCli(['jobs', '--status', 'canceled', '--json', ...flags]);
    assert.deepEqual(json<{ jobs: Job[] }>(none).jobs, []);
  });

  test('errors: unknown job (1, JSON error), bad token (1, 401), bad state (1), usage (2)', async () => {
    const nf = await runCli(['status', '01NOSUCHJOB0000000000000000', '--json', ...flags]);
    assert.equal(nf.code, 1);
    assert.deepEqual(json<{ error: { code: string; status: number } }>(nf).error.code, 'OCRFLOW_ERR_JOB_NOT_FOUND');
    assert.equal(json<{ error: { status: number } }>(nf).error.status, 404);
    assert.match(nf.stderr, /OCRFLOW_ERR_JOB_NOT_FOUND, HTTP 404/);

    const unauth = await runCli(['jobs', '--json', '--server', srv.url, '--token', 'wrong']);
    assert.equal(unauth.code, 1);
    assert.deepEqual(json<{ error: { code: string; status: number } }>(unauth).error, {
      code: 'OCRFLOW_ERR_UNAUTHORIZED',
      status: 401,
      message: 'The Bearer token is not valid',
    });

    const done = await runCli(['cancel', finished.id, ...flags]);
    assert.equal(done.code, 1);
    assert.match(done.stderr, /OCRFLOW_ERR_INVALID_STATE/);

    for (const args of [['result', finished.id, '-f', 'docx'], ['jobs', '--limit', '0'], ['status'], ['completion', 'tcsh']]) {
      const u = await runCli([...args, ...flags]);
      assert.equal(u.code, 2, `${args.join(' ')}: ${u.stderr}`);
    }
  });

  test('submit a good and a corrupt file: the corrupt one refused by the server, exit 3 (partial)', async () => {
    const bad = path.join(tmp, 'corrupt.png');
    fs.writeFileSync(bad, BAD_INPUTS.corruptPng().data);
    const r = await runCli(['submit', SMALL_PATH, bad, '--mode', 'text', '--task-id', 'pair', '--json', ...flags]);
    assert.equal(r.code, 3, r.stderr);
    const s = json<{ jobs: { file: string; id?: string; task_id?: string; error: { code: string } | null }[]; succeeded: number; failed: number }>(r);
    assert.deepEqual([s.succeeded, s.failed], [1, 1]);
    assert.equal(s.jobs[0].task_id, `pair/${path.basename(SMALL_PATH)}`);
    assert.equal(s.jobs[1].error?.code, 'OCRFLOW_ERR_CORRUPT_FILE');
    assert.match(r.stderr, /corrupt\.png: .*OCRFLOW_ERR_CORRUPT_FILE/);
    // Let the accepted job end before the next test's server goes away.
    const w = await runCli(['wait', s.jobs[0].id as string, '-q', ...flags]);
    assert.equal(w.code, 0, w.stderr);
  });
});

describe('a service whose workers are held back (jobs stay queued)', () => {
  let idle: TestServer;
  before(async () => {
    idle = await startTestServer({ startWorkers: false });
  });
  after(async () => idle?.close());

  test('cancel and retry; wait --timeout gives up with exit 1; the server URL from the environment', async () => {
    const env = { OCRFLOW_SERVER_URL: idle.url };
    const sub = await runCli(['submit', SMALL_PATH, '-q'], { env });
    assert.equal(sub.code, 0, sub.stderr);
    const [id, status] = sub.stdout.trim().split(/\s+/);
    assert.equal(status, 'queued');
    const w = await runCli(['wait', id, '--timeout', '1', '--json', '-q'], { env });
    assert.equal(w.code, 1);
    assert.equal(json<{ error: { code: string } }>(w).error.code, 'OCRFLOW_ERR_TIMEOUT');
    const c = await runCli(['cancel', id, '--json'], { env });
    assert.equal(c.code, 0, c.stderr);
    assert.equal(json<Job>(c).status, 'canceled');
    const r = await runCli(['retry', id, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<Job>(r).status, 'queued');
    const both = await runCli(['cancel', id, '01NOSUCHJOB0000000000000000', '--json'], { env });
    assert.equal(both.code, 3, 'one canceled, one unknown: partial');
    const out = json<{ jobs: ({ status: string } | { id: string; error: { code: string } })[] }>(both);
    assert.equal((out.jobs[0] as { status: string }).status, 'canceled');
    assert.equal((out.jobs[1] as { error: { code: string } }).error.code, 'OCRFLOW_ERR_JOB_NOT_FOUND');
  });
});

test('nothing listening: exit 1 with OCRFLOW_ERR_OCR_SERVICE_UNAVAILABLE and a hint', async () => {
  const r = await runCli(['jobs', '--json', '--server', `http://127.0.0.1:${await freePort()}`]);
  assert.equal(r.code, 1);
  assert.equal(json<{ error: { code: string } }>(r).error.code, 'OCRFLOW_ERR_OCR_SERVICE_UNAVAILABLE');
  assert.match(r.stderr, /ECONNREFUSED.*ocrflow serve/);
});
