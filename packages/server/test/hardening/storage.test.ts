/**
 * The data directory: what ocrflow writes is private by default (files 0600, directories 0700;
 * OCRFLOW_FILE_MODE widens it on purpose), and a data directory that cannot be written is visible —
 * uploads answer 503 OCRFLOW_ERR_STORAGE_UNAVAILABLE, `/ready` says so, `/health` is not ok — and
 * recovers by itself once the storage is back.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Api, type ErrorBody } from '../helpers/api.helper.ts';
import { dataset, makePdf, SMALL_TABLE, textPage } from '../helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../helpers/server.helper.ts';

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

async function finishedJobFiles(env: Record<string, string>): Promise<{ srv: TestServer; files: string[]; dirs: string[] }> {
  const srv = await startTestServer({ env });
  servers.push(srv);
  const api = new Api(srv.url);
  const job = await api.waitDone((await api.submit(makePdf([textPage(1)]), 'private.pdf')).id);
  assert.equal(job.status, 'finished');
  const blob = srv.service.config.blobDirAbs;
  const jobDir = path.join(blob, 'jobs', job.id);
  const sqlite = path.join(srv.dataDir, 'ocrflow.sqlite');
  const files = [path.join(jobDir, 'source'), ...fs.readdirSync(path.join(jobDir, 'result')).map((f) => path.join(jobDir, 'result', f))];
  if (!process.env.OCRFLOW_TEST_DATABASE_URL) files.push(sqlite, ...['-wal', '-shm'].map((s) => sqlite + s).filter((f) => fs.existsSync(f)));
  return { srv, files, dirs: [blob, path.join(blob, 'jobs'), jobDir, path.join(jobDir, 'result'), path.join(blob, '.tmp')] };
}

test('uploads, results and the SQLite file are 0600 and their directories 0700 by default', async () => {
  const { files, dirs } = await finishedJobFiles({});
  assert.ok(files.length >= 6, files.join(', '));
  for (const f of files) assert.equal(octal(mode(f)), '0600', f);
  for (const d of dirs) assert.equal(octal(mode(d)), '0700', d);
});

test('OCRFLOW_FILE_MODE=0640 gives group read: files 0640, directories 0750', async () => {
  const { files, dirs } = await finishedJobFiles({ OCRFLOW_FILE_MODE: '0640' });
  for (const f of files) assert.equal(octal(mode(f) & ~process.umask()), octal(0o640 & ~process.umask()), f);
  for (const d of dirs) assert.equal(octal(mode(d) & ~process.umask()), octal(0o750 & ~process.umask()), d);
});

test('a data directory that cannot be written: uploads 503 with a clear code, /ready and /health say so, and it recovers', async () => {
  const srv = await startTestServer();
  servers.push(srv);
  const api = new Api(srv.url);
  const tmp = path.join(srv.service.config.blobDirAbs, '.tmp');
  // Break the storage the way a lost mount or a wrong owner does: the upload area cannot take a file.
  // (A plain file where the directory was: works whoever runs the test, root included.)
  fs.rmSync(tmp, { recursive: true });
  fs.writeFileSync(tmp, 'not a directory');
  try {
    const up = await api.submitRaw(dataset(SMALL_TABLE), 'table.png');
    assert.deepEqual([up.status, up.body.error.code], [503, 'OCRFLOW_ERR_STORAGE_UNAVAILABLE'], JSON.stringify(up.body));
    assert.match(up.body.error.message, /data directory/);
    assert.doesNotMatch(JSON.stringify(up.body), /\/tmp\/|ocrflow-server-test/, 'no paths in the answer');
    const wb = await fetch(`${srv.url}/api/v1/upload/image`, { method: 'POST', body: form() });
    const wbBody = (await wb.json()) as { success: boolean; code: string };
    assert.deepEqual([wb.status, wbBody.success, wbBody.code], [503, false, 'OCRFLOW_ERR_STORAGE_UNAVAILABLE']);
    const ready = await api.json<ErrorBody>('/ready');
    assert.deepEqual([ready.status, ready.body.error.code], [503, 'OCRFLOW_ERR_STORAGE_UNAVAILABLE']);
    assert.match(String(ready.body.error.details?.storage), /not writable/);
    const health = await api.json<{ ok: boolean; storage: string }>('/health');
    assert.equal(health.status, 200, 'health itself answers');
    assert.deepEqual([health.body.ok, /not writable/.test(health.body.storage)], [false, true]);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.mkdirSync(tmp, { mode: 0o700 });
  }
  // The probe is cached for a second: wait for it to see the repaired storage.
  let ready = await fetch(`${srv.url}/ready`);
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ready = await fetch(`${srv.url}/ready`);
  }
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { ready: true, storage: 'ok', workers: 'ok' });
  assert.equal((await api.submitRaw(dataset(SMALL_TABLE), 'table.png')).status, 202);
});

function form(): FormData {
  const fd = new FormData();
  fd.append('file', new Blob([new Uint8Array(dataset(SMALL_TABLE))]), 'table.png');
  return fd;
}
