/**
 * `ocrflow scan <file>`: run the OCR pipeline locally (no server) and print or write the result.
 * Textual formats go to stdout without `-o`; the JSON format is the document model itself.
 * Several files, a folder or `--json` run the batch of `scan.batch.ts` (`-o` is then a folder).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  ENGINE_NAMES,
  OcrflowError,
  documentToHtml,
  documentToMarkdown,
  documentToText,
  documentToXlsx,
  loadConfig,
  type EngineName,
  type OcrDocument,
} from '@ocrflow/core';
// The engines (onnxruntime, sharp, mupdf) and the analyser load when a scan runs, not when the
// command is registered: every `ocrflow` invocation registers every command.
import { OCR_MODES, type OcrMode } from '@ocrflow/engines';
import { runCommand } from './client.output.ts';
import { runScanBatch } from './scan.batch.ts';

export const SCAN_FORMATS = ['json', 'markdown', 'text', 'html', 'xlsx', 'pdf', 'analysis'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** Format renderers; other formats (html, xlsx, analysis) register here with one entry each. `source` is the file that was read. */
export const SCAN_RENDERERS: Record<string, (doc: OcrDocument, source: Uint8Array) => string | Uint8Array | Promise<string | Uint8Array>> = {
  json: (doc) => JSON.stringify(doc, null, 2) + '\n',
  markdown: (doc) => documentToMarkdown(doc),
  text: (doc) => documentToText(doc),
  // Tables: HTML tables with spans; XLSX is binary (needs -o, or a pipe/redirect).
  html: (doc) => documentToHtml(doc),
  xlsx: (doc) => documentToXlsx(doc),
  // The searchable PDF: the file's own pages with the recognised words as an invisible text layer.
  pdf: async (doc, source) => (await import('@ocrflow/engines')).renderSearchablePdf(doc, source),
  // Analysis: key facts as `ocrflow.analysis/1` JSON; the LLM analyser when OCRFLOW_LLM_BASE_URL is set.
  analysis: async (doc) => {
    const { analyse } = await import('@ocrflow/analysis');
    return JSON.stringify(await analyse(doc, loadConfig()), null, 2) + '\n';
  },
};

const SCAN_EXAMPLES = `
Examples:
  $ ocrflow scan report-scan.jpg --format xlsx -o report.xlsx     # tables to Excel
  $ ocrflow scan scan.jpg --format pdf -o scan.pdf                 # searchable PDF (select, copy, search)
  $ ocrflow scan invoice.pdf --format markdown                     # Markdown on stdout
  $ ocrflow scan receipt.jpg --format analysis                     # key facts as JSON
  $ ocrflow scan scans/ --format text -o out/                      # a folder: one .txt per file, progress bar
  $ ocrflow scan a.png b.pdf --mode text --json > summary.json     # per-file results and errors as JSON

Several files or a folder: a file that fails is reported and the others go on;
exit code 0 = all succeeded, 3 = some failed, 1 = none succeeded.
`;

interface ScanOpts {
  format: string;
  engine?: string;
  languages?: string;
  mode: string;
  output?: string;
  rotate: boolean;
  straighten: boolean;
  joinTables: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('scan')
    .description('OCR local images or PDFs and print or write the results (no server needed)')
    .argument('<files...>', 'images (PNG, JPEG, WebP, TIFF, BMP), PDFs or folders of them')
    .option('-f, --format <format>', `output format: ${Object.keys(SCAN_RENDERERS).join(', ')}`, 'text')
    .option('-e, --engine <name>', `OCR engine: ${ENGINE_NAMES.join(', ')} (default OCRFLOW_ENGINE)`)
    .option('-l, --languages <list>', 'comma-separated languages (default OCRFLOW_LANGUAGES)')
    .option('-m, --mode <mode>', `${OCR_MODES.join(' or ')}`, 'layout')
    .option('--no-rotate', 'do not detect page orientation')
    .option('--no-straighten', 'read photos as they are: do not find and straighten the sheet (default OCRFLOW_STRAIGHTEN)')
    .option('--no-join-tables', 'keep a table that continues on the next page as separate tables (default: OCRFLOW_JOIN_TABLES)')
    .option('-o, --output <file>', 'write to this file instead of stdout (a folder in batch mode: several files, a folder, or --json)')
    .option('--json', 'batch mode: print one JSON summary on stdout (per-file results and errors)')
    .option('-q, --quiet', 'batch mode: no progress on stderr')
    .addHelpText('after', SCAN_EXAMPLES)
    .action(async (files: string[], o: ScanOpts) => {
      const render = SCAN_RENDERERS[o.format];
      if (!render)
        throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_FORMAT', `Unknown format "${o.format}"; use one of ${Object.keys(SCAN_RENDERERS).join(', ')}`);
      if (o.engine && !(ENGINE_NAMES as readonly string[]).includes(o.engine))
        throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `Unknown engine "${o.engine}"; use one of ${ENGINE_NAMES.join(', ')}`);
      if (!(OCR_MODES as readonly string[]).includes(o.mode)) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `Unknown mode "${o.mode}"`);
      // Several files, a folder or --json: the batch (progress bar, per-file errors, exit code 3 = partial).
      if (files.length > 1 || o.json || (await stat(files[0]).catch(() => null))?.isDirectory()) {
        const languages = o.languages
          ? o.languages
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined;
        const batch = {
          format: o.format,
          render,
          engine: o.engine as EngineName | undefined,
          languages,
          mode: o.mode as OcrMode,
          autoRotate: o.rotate,
          straighten: o.straighten === false ? false : undefined,
          joinTables: o.joinTables,
          output: o.output,
          json: o.json,
          quiet: o.quiet,
        };
        return runCommand(o.json, () => runScanBatch(files, batch));
      }
      const file = files[0];
      let data: Buffer;
      try {
        data = await readFile(file);
      } catch {
        throw new OcrflowError('OCRFLOW_ERR_FILE_NOT_FOUND', `Cannot read ${file}`);
      }
      const config = loadConfig(o.joinTables ? {} : { overrides: { joinTables: false } });
      const { runDocument, disposeEngines, engineOptionsFromConfig } = await import('@ocrflow/engines');
      try {
        const doc = await runDocument(data, {
          options: engineOptionsFromConfig(config),
          engine: (o.engine as EngineName | undefined) ?? config.engine,
          languages: o.languages
            ? o.languages
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : undefined,
          mode: o.mode as OcrMode,
          autoRotate: o.rotate,
          // Only an explicit --no-straighten overrides OCRFLOW_STRAIGHTEN.
          straighten: o.straighten === false ? false : undefined,
          // One document at a time: the engine may use every core (unless OCRFLOW_OCR_THREADS says otherwise).
          engineOptions: { intraOpNumThreads: config.ocrThreads || Math.max(1, os.availableParallelism?.() ?? os.cpus().length) },
          filename: path.basename(file),
          onPage: (p, n) => {
            if (n > 1) process.stderr.write(`page ${p.index + 1}/${n}\n`);
          },
        });
        const out = await render(doc, data);
        if (o.output) await writeFile(o.output, out);
        else if (typeof out === 'string') process.stdout.write(out);
        else if (!process.stdout.isTTY)
          process.stdout.write(out); // binary into a pipe or a file redirect
        else throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `The ${o.format} format is binary: give an output file with -o`);
      } finally {
        await disposeEngines();
      }
    });
}
