#!/usr/bin/env node
// Prints the configuration reference (Markdown) from SETTINGS in @ocrflow/core, or with --write
// replaces the block between <!-- config-table:start --> and <!-- config-table:end --> in README.md.
//   node scripts/config-table.mjs [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { describeSettings } = await import('../packages/core/src/config.ts');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
// Defaults computed on the machine (worker count) are described rather than printed.
const COMPUTED = { workers: 'number of CPU cores' };
const def = (d) => COMPUTED[d.key] ?? (d.default === '' ? '' : `\`${cell(d.default)}\``);
const rows = describeSettings().map((d) => `| \`${d.env}\` | \`--${d.flag}\` | ${def(d)} | ${cell(d.help)} |`);
const table = ['| variable | `serve` flag | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');

if (!process.argv.includes('--write')) {
  process.stdout.write(table + '\n');
} else {
  const file = path.join(root, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const re = /(<!-- config-table:start -->)[\s\S]*?(<!-- config-table:end -->)/;
  if (!re.test(readme)) throw new Error('README.md has no <!-- config-table:start --> … <!-- config-table:end --> block');
  writeFileSync(file, readme.replace(re, `$1\n${table}\n$2`));
  process.stdout.write(`README.md: ${rows.length} settings\n`);
}
