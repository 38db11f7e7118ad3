/**
 * scripts/gen-api-docs.mjs: docs/api.md covers every route of the served OpenAPI document, each
 * with a curl example, plus every error code; building the document in-process gives the same
 * text as reading it from a running server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ERROR_CODES } from '@ocrflow/core';
import { startTestServer, type TestServer } from '../../server/test/helpers/server.helper.ts';
import { REPO_ROOT } from './helpers/cli.helper.ts';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ startWorkers: false });
});
after(async () => srv?.close());

function gen(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/gen-api-docs.mjs'), '--stdout', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('every served route is documented with a curl example; every error code is listed', async () => {
  const spec = (await (await fetch(`${srv.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { summary?: string }>> };
  const [live, built] = await Promise.all([gen(['--from', srv.url]), gen([])]);
  assert.equal(live.code, 0, live.err);
  assert.equal(built.code, 0, built.err);
  assert.equal(built.out, live.out, 'in-process document = served document');
  const md = live.out;
  const sections = md.split(/\n(?=### `)/);
  let routes = 0;
  for (const [p, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      routes++;
      const head = `### \`${method.toUpperCase()} ${p}\``;
      const section = sections.find((s) => s.startsWith(head));
      assert.ok(section, `${head} is documented`);
      if (op.summary) assert.ok(section.includes(op.summary), `${head} has its summary`);
      const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
      assert.match(block, /^curl -sS /m, `${head} has a curl example`);
      assert.ok(block.includes('$OCRFLOW_URL/'), `${head}: the example calls the server`);
    }
  }
  assert.ok(routes >= 20, `${routes} routes`);
  assert.match(md, new RegExp(`: ${routes} routes\\.`));
  for (const [code, v] of Object.entries(ERROR_CODES)) assert.ok(md.includes(`| \`${code}\` | ${v.status} |`), code);
  for (const compat of ['POST /api/start', 'POST /jobs-from-uploading', 'GET /longpoll/jobs/{id}', 'GET /result/json/jobs/{id}'])
    assert.ok(md.includes(`### \`${compat}\``), compat);
});
