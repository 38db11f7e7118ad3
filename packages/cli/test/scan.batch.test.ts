/**
 * `ocrflow scan` over a folder, as a child process, locally (no server): one corrupt file among
 * real table crops; the others succeed, the corrupt one is reported, exit code 3 (partial), and
 * the --json summary says so file by file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BAD_INPUTS, dataset, SMALL_TABLE } from '../../server/test/helpers/fixtures.helper.ts';
import { json, runCli } from './helpers/cli.helper.ts';

interface Summary {
  format: string;
  total: number;
  succeeded: number;
  failed: number;
  pages: number;
  files: { file: string; ok: boolean; pages?: number; output?: string; content?: unknown; error?: { code: string; message: string } }[];
}

let dir: string;
let input: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-scan-batch-'));
  input = path.join(dir, 'in');
  fs.mkdirSync(path.join(input, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(input, 'a.png'), dataset(SMALL_TABLE));
  fs.writeFileSync(path.join(input, 'sub', 'b.png'), dataset('pubtabnet-dev/pubtabnet-PMC3519711_003_00.png'));
  fs.writeFileSync(path.join(input, 'corrupt.png'), BAD_INPUTS.corruptPng().data);
  fs.writeFileSync(path.join(input, 'notes.txt'), 'not a document: skipped when walking a folder\n');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a folder with one corrupt file: the others succeed, exit 3, the error reported, --json asserted', async () => {
  const out = path.join(dir, 'out');
  const r = await runCli(['scan', input, '--mode', 'text', '--format', 'text', '--json', '-o', out]);
  assert.equal(r.code, 3, r.stderr);
  const s = json<Summary>(r);
  assert.deepEqual([s.format, s.total, s.succeeded, s.failed, s.pages], ['text', 3, 2, 1, 2]);
  assert.deepEqual(
    s.files.map((f) => path.relative(input, f.file)),
    ['a.png', 'corrupt.png', path.join('sub', 'b.png')],
    'sorted walk, notes.txt skipped',
  );
  const [a, bad, b] = s.files;
  assert.equal(bad.ok, false);
  assert.equal(bad.error?.code, 'OCRFLOW_ERR_CORRUPT_FILE');
  assert.match(bad.error?.message ?? '', /corrupt|truncated/i);
  for (const f of [a, b]) {
    assert.equal(f.ok, true);
    assert.equal(f.pages, 1);
    assert.equal(f.error, undefined);
  }
  assert.equal(a.output, path.join(out, 'a.txt'));
  assert.equal(b.output, path.join(out, 'sub', 'b.txt'));
  assert.match(fs.readFileSync(path.join(out, 'a.txt'), 'utf8'), /Magnitude/);
  assert.ok(fs.readFileSync(path.join(out, 'sub', 'b.txt'), 'utf8').trim().length > 10);
  assert.deepEqual(fs.readdirSync(out).sort(), ['a.txt', 'sub'], 'nothing written for the corrupt file');
  // People see the failure on stderr; stdout held only the JSON.
  assert.match(r.stderr, /corrupt\.png: FAILED .*OCRFLOW_ERR_CORRUPT_FILE/);
  assert.match(r.stderr, /3 file\(s\): 2 succeeded, 1 failed/);
});

test('files without -o: results on stdout under headers; partial exit code without --json too', async () => {
  const r = await runCli(['scan', path.join(input, 'corrupt.png'), path.join(input, 'a.png'), '--format', 'markdown']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /\|.*Magnitude.*\|/, 'the markdown table of a.png');
  assert.match(r.stdout, new RegExp(`==> ${path.join(input, 'a.png').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} <==`));
  assert.match(r.stderr, /FAILED/);
});

test('nothing succeeds: exit 1 with every error; xlsx for several files without -o: usage error (2)', async () => {
  const r = await runCli(['scan', path.join(input, 'corrupt.png'), path.join(input, 'missing.png'), '--json', '-q']);
  assert.equal(r.code, 1, r.stderr);
  const s = json<Summary>(r);
  assert.deepEqual(
    s.files.map((f) => f.error?.code),
    ['OCRFLOW_ERR_CORRUPT_FILE', 'OCRFLOW_ERR_FILE_NOT_FOUND'],
  );
  assert.equal(r.stderr, '', '--quiet');
  const u = await runCli(['scan', input, '--format', 'xlsx']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /-o DIR/);
});

test('one file, no --json: the single-file scan as before (text on stdout, exit 0)', async () => {
  const r = await runCli(['scan', path.join(input, 'a.png'), '--mode', 'text']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Magnitude/);
  assert.doesNotMatch(r.stdout, /==>/);
});

test('--format pdf: the searchable PDF of one file with -o, of a folder into -o DIR; several files without -o is a usage error', async () => {
  const { execFileSync } = await import('node:child_process');
  const one = path.join(dir, 'a.pdf');
  const r = await runCli(['scan', path.join(input, 'a.png'), '--mode', 'text', '--format', 'pdf', '-o', one]);
  assert.equal(r.code, 0, r.stderr);
  execFileSync('qpdf', ['--check', one]);
  assert.match(execFileSync('pdftotext', [one, '-'], { encoding: 'utf8' }), /Magnitude/);
  const out = path.join(dir, 'pdfs');
  const b = await runCli(['scan', path.join(input, 'a.png'), path.join(input, 'sub', 'b.png'), '--mode', 'text', '--format', 'pdf', '-o', out, '--json', '-q']);
  assert.equal(b.code, 0, b.stderr);
  const s = json<Summary>(b);
  assert.deepEqual(s.files.map((f) => path.basename(f.output ?? '')).sort(), ['a.pdf', 'b.pdf']);
  assert.ok(
    s.files.every((f) => f.output?.startsWith(out)),
    'written under -o DIR',
  );
  for (const f of s.files) assert.equal(fs.readFileSync(f.output!).subarray(0, 5).toString('latin1'), '%PDF-');
  const u = await runCli(['scan', input, '--format', 'pdf']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /pdf format of several files needs an output folder/);
});
