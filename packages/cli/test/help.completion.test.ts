/**
 * Every command's --help ends with examples; `ocrflow completion` prints scripts generated from
 * the registered commands, and the bash one really completes (run in bash).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildProgram } from '../src/main.ts';
import { runCli } from './helpers/cli.helper.ts';

test('--help of every command shows examples', async () => {
  const program = await buildProgram();
  const names = program.commands.map((c) => c.name());
  for (const n of ['scan', 'eval', 'serve', 'submit', 'status', 'wait', 'result', 'jobs', 'cancel', 'retry', 'completion']) assert.ok(names.includes(n), n);
  const missing: string[] = [];
  for (const cmd of program.commands) {
    let out = '';
    cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    cmd.outputHelp();
    if (!/Examples:\n\s+\$ ocrflow /.test(out)) missing.push(cmd.name());
  }
  assert.deepEqual(missing, [], 'commands whose --help has no examples');
});

test('completion bash completes commands, options and option values', async () => {
  const r = await runCli(['completion', 'bash']);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-completion-')), 'ocrflow.bash');
  fs.writeFileSync(file, r.stdout);
  const complete = (words: string[]) => {
    const script = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _ocrflow; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const b = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    return b.stdout.split('\n').filter(Boolean).sort();
  };
  assert.deepEqual(complete(['ocrflow', 're']), ['result', 'retry']);
  assert.deepEqual(complete(['ocrflow', 'result', '01J', '--format', '']), ['html', 'json', 'markdown', 'pdf', 'text', 'xlsx']);
  assert.deepEqual(complete(['ocrflow', 'submit', '--we']), ['--webhook', '--webhook-events']);
  assert.deepEqual(complete(['ocrflow', 'submit', '-m', '']), ['layout', 'text']);
  assert.deepEqual(complete(['ocrflow', 'completion', '--h']), ['--help']);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

test('completion zsh and fish name every command and option', async () => {
  const zsh = await runCli(['completion', 'zsh']);
  const fish = await runCli(['completion', 'fish']);
  assert.equal(zsh.code, 0);
  assert.equal(fish.code, 0);
  assert.match(zsh.stdout, /^#compdef ocrflow/);
  assert.match(zsh.stdout, /'--format\[result format\]:value:\(json markdown text html xlsx pdf\)'/);
  assert.match(fish.stdout, /complete -c ocrflow -n '__fish_seen_subcommand_from submit' -s w -l wait -d /);
  assert.match(fish.stdout, /-l format -x -a 'json markdown text html xlsx pdf'/);
  for (const n of ['scan', 'submit', 'status', 'wait', 'result', 'jobs', 'cancel', 'retry']) {
    assert.match(zsh.stdout, new RegExp(`^    '${n}:`, 'm'));
    assert.match(fish.stdout, new RegExp(`__fish_use_subcommand -a ${n} `));
  }
  // The zsh script parses (zsh -n) when zsh is installed.
  const z = spawnSync('zsh', ['-n'], { input: zsh.stdout, encoding: 'utf8' });
  if (!z.error) assert.equal(z.status, 0, z.stderr);
});
