/**
 * `ocrflow eval <dataset-dir>`: the evaluation contract (docs/cli.md). With `--json`, stdout holds
 * exactly one JSON object; progress always goes to stderr.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { ENGINE_NAMES, OcrflowError, loadConfig, type EngineName } from '@ocrflow/core';
import { OCR_MODES, type OcrMode } from '@ocrflow/engines';
import type { EvalResult } from '@ocrflow/eval';

interface EvalOpts {
  engine?: string;
  languages?: string;
  mode: string;
  limit?: string;
  threads?: string;
  json?: boolean;
  quiet?: boolean;
}

function table(r: EvalResult): string {
  const fmt = (v: number | null, digits = 4) => (v === null ? '—' : v.toFixed(digits));
  const rows: [string, string][] = [
    ['documents', String(r.documents)],
    ['CER', fmt(r.cer)],
    ['word F1', fmt(r.word_f1)],
    ['TEDS', fmt(r.teds)],
    ['TEDS-S', fmt(r.teds_s)],
    ['adjacency F1', fmt(r.adj_f1)],
    ['field F1', fmt(r.field_f1)],
    ['seconds per page (median)', fmt(r.seconds_per_page, 3)],
    ['peak RSS (MB)', String(r.peak_rss_mb)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('Run the OCR pipeline over a dataset folder and score it (CER, word F1, TEDS, adjacency F1, field F1, speed, memory)')
    .argument('<dataset-dir>', 'folder of NAME.jpg|png with NAME.gt.txt / .gt.html / .gt.json')
    .option('-e, --engine <name>', `OCR engine: ${ENGINE_NAMES.join(', ')} (default OCRFLOW_ENGINE)`)
    .option('-l, --languages <list>', 'comma-separated languages (default OCRFLOW_LANGUAGES)')
    .option('-m, --mode <mode>', `${OCR_MODES.join(' or ')}`, 'layout')
    .option('-n, --limit <n>', 'only the first N samples')
    .option('--threads <n>', 'ONNX threads (default: all cores, one document at a time)')
    .option('--json', 'print one JSON object on stdout')
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ ocrflow eval ../shared/datasets/sroie-dev --json            # CER, word F1, field F1 as one JSON object
  $ ocrflow eval ../shared/datasets/pubtabnet-dev --limit 3     # TEDS on the first three tables
  $ ocrflow eval ../shared/datasets/sroie-dev --engine tesseract --mode text
`,
    )
    .action(async (dir: string, o: EvalOpts) => {
      if (o.engine && !(ENGINE_NAMES as readonly string[]).includes(o.engine))
        throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `Unknown engine "${o.engine}"; use one of ${ENGINE_NAMES.join(', ')}`);
      if (!(OCR_MODES as readonly string[]).includes(o.mode)) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `Unknown mode "${o.mode}"`);
      const limit = o.limit !== undefined ? Number(o.limit) : undefined;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
        throw new OcrflowError('OCRFLOW_ERR_VALIDATION', '--limit must be a positive whole number');
      const config = loadConfig();
      // Eval reads one document at a time, so one engine instance may use every core.
      const threads = o.threads ? Number(o.threads) : config.ocrThreads || Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
      // The engines and metrics load when an evaluation runs, not when the command is registered.
      const [{ runEvalDetailed }, { disposeEngines, engineOptionsFromConfig }] = await Promise.all([import('@ocrflow/eval'), import('@ocrflow/engines')]);
      try {
        const { result, failures } = await runEvalDetailed(dir, {
          options: engineOptionsFromConfig(config),
          analysis: config,
          engine: (o.engine as EngineName | undefined) ?? config.engine,
          languages: o.languages
            ? o.languages
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : undefined,
          mode: o.mode as OcrMode,
          limit,
          engineOptions: { intraOpNumThreads: threads },
          onProgress: (p) => {
            if (o.quiet) return;
            const what = p.error ? `FAILED: ${p.error}` : `${p.seconds.toFixed(2)} s (cpu ${p.cpuSeconds.toFixed(2)} s)`;
            process.stderr.write(`[${p.index + 1}/${p.total}] ${p.sample.name} ${what}\n`);
          },
        });
        if (failures.length && !o.quiet) process.stderr.write(`${failures.length} document(s) failed\n`);
        process.stdout.write(o.json ? JSON.stringify(result) + '\n' : table(result));
      } finally {
        await disposeEngines();
      }
    });
}
