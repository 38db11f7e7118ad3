/**
 * `ocrflow scan` over many files or folders: every file is inspected first (type, page count —
 * corrupt and unsupported files fail here, cheaply), so the progress bar knows the total pages;
 * then each is OCR'd in turn. A file that fails is reported and the batch goes on. Exit code 0
 * when all succeeded, 3 (partial) when some failed, 1 when none succeeded.
 *
 * Outputs: `-o DIR` writes one file per input (`DIR/<relative name>.<ext>`); without it textual
 * results go to stdout under `==> file <==` headers, or inline in the `--json` summary.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isOcrflowError, loadConfig, type Config, type EngineName, type OcrDocument } from '@ocrflow/core';
import type { OcrMode } from '@ocrflow/engines';
import { batchExit, printJson } from './client.output.ts';
import { UsageError } from './client.config.ts';
import { expandInputs, outputNames, type BatchFile } from './files.expand.ts';
import { PagesProgress } from './progress.bar.ts';

export type Renderer = (doc: OcrDocument, source: Uint8Array) => string | Uint8Array | Promise<string | Uint8Array>;

export const FORMAT_EXTENSIONS: Record<string, string> = {
  json: '.json',
  markdown: '.md',
  text: '.txt',
  html: '.html',
  xlsx: '.xlsx',
  pdf: '.pdf',
  analysis: '.analysis.json',
};
/** Formats whose rendering is JSON text: inlined as objects in the `--json` summary. */
const JSON_FORMATS = new Set(['json', 'analysis']);

export interface ScanBatchOptions {
  format: string;
  render: Renderer;
  engine?: EngineName;
  languages?: string[];
  mode: OcrMode;
  autoRotate: boolean;
  /** false: do not straighten photos; undefined: config `straighten`. */
  straighten?: boolean;
  /** False: tables continuing on the next page stay separate. */
  joinTables?: boolean;
  /** An output directory. */
  output?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface ScanFileResult {
  file: string;
  ok: boolean;
  pages?: number;
  seconds?: number;
  output?: string;
  content?: unknown;
  error?: { code: string; message: string };
}

export interface ScanBatchSummary {
  format: string;
  total: number;
  succeeded: number;
  failed: number;
  pages: number;
  seconds: number;
  pages_per_second: number;
  files: ScanFileResult[];
}

const errorOf = (e: unknown): { code: string; message: string } =>
  isOcrflowError(e) ? { code: e.code, message: e.message } : { code: 'OCRFLOW_ERR_INTERNAL', message: (e as Error)?.message ?? String(e) };

interface Planned {
  f: BatchFile;
  result: ScanFileResult;
  pages: number;
  out?: string;
}

async function inspectAll(files: BatchFile[], config: Config, names: string[] | null, outDir: string | undefined): Promise<Planned[]> {
  const { inspectDocument } = await import('@ocrflow/engines');
  const planned: Planned[] = [];
  for (const [i, f] of files.entries()) {
    const result: ScanFileResult = { file: f.path, ok: false };
    const p: Planned = { f, result, pages: 0, out: names && outDir ? path.join(outDir, names[i]) : undefined };
    planned.push(p);
    if (f.missing) {
      result.error = { code: 'OCRFLOW_ERR_FILE_NOT_FOUND', message: `Cannot read ${f.path}: no such file or folder` };
      continue;
    }
    try {
      const info = await inspectDocument(await readFile(f.path), { maxPixels: config.maxPixels, maxPages: config.maxPages });
      p.pages = info.pageCount;
    } catch (e) {
      result.error =
        (e as NodeJS.ErrnoException)?.code && !isOcrflowError(e)
          ? { code: 'OCRFLOW_ERR_FILE_NOT_FOUND', message: `Cannot read ${f.path}: ${(e as Error).message}` }
          : errorOf(e);
    }
  }
  return planned;
}

export async function runScanBatch(inputs: string[], o: ScanBatchOptions): Promise<number> {
  // Loaded here, not at registration: every `ocrflow` invocation registers every command.
  const { disposeEngines, engineOptionsFromConfig, runDocument } = await import('@ocrflow/engines');
  const ext = FORMAT_EXTENSIONS[o.format] ?? `.${o.format}`;
  if ((o.format === 'xlsx' || o.format === 'pdf') && !o.output) throw new UsageError(`The ${o.format} format of several files needs an output folder: -o DIR`);
  const { files } = await expandInputs(inputs);
  if (files.length === 0) throw new UsageError(`No documents (${'png, jpg, webp, tiff, bmp, pdf'}) in ${inputs.join(', ')}`);
  const config = loadConfig(o.joinTables === false ? { overrides: { joinTables: false } } : {});
  const options = engineOptionsFromConfig(config);
  const names = o.output ? outputNames(files, ext) : null;
  const t0 = performance.now();
  const planned = await inspectAll(files, config, names, o.output);
  const totalPages = planned.reduce((n, p) => n + p.pages, 0);
  let expected = totalPages;
  const progress = new PagesProgress({ total: expected, enabled: !o.quiet });
  const n = planned.length;
  try {
    for (const [i, p] of planned.entries()) {
      const tag = `[${i + 1}/${n}] ${p.f.path}`;
      if (p.result.error) {
        progress.log(`${tag}: FAILED ${p.result.error.message} [${p.result.error.code}]`);
        continue;
      }
      progress.setStatus(p.f.rel);
      const started = performance.now();
      let pagesSeen = 0;
      try {
        const source = await readFile(p.f.path);
        const doc = await runDocument(source, {
          options,
          engine: o.engine ?? config.engine,
          languages: o.languages,
          mode: o.mode,
          autoRotate: o.autoRotate,
          straighten: o.straighten,
          filename: path.basename(p.f.path),
          onPage: () => {
            pagesSeen++;
            progress.advance(1);
          },
        });
        const out = await o.render(doc, source);
        p.result.ok = true;
        p.result.pages = doc.pages.length;
        p.result.seconds = Number(((performance.now() - started) / 1000).toFixed(3));
        if (p.out) {
          await mkdir(path.dirname(p.out), { recursive: true });
          await writeFile(p.out, out);
          p.result.output = p.out;
        } else if (o.json) {
          const text = typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
          p.result.content = JSON_FORMATS.has(o.format) ? JSON.parse(text) : text;
        } else {
          // Headers as `head` writes them, so the results can be told apart (and split).
          const text = typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
          progress.print(`==> ${p.f.path} <==\n${text}${text.endsWith('\n') ? '' : '\n'}`);
        }
        progress.log(`${tag}: ${p.result.pages} page(s) in ${p.result.seconds.toFixed(2)} s${p.out ? ` -> ${p.out}` : ''}`);
      } catch (e) {
        // The pages a failed file will never reach leave the total, so the ETA stays honest.
        expected -= p.pages - pagesSeen;
        progress.setTotal(expected);
        p.result.error = errorOf(e);
        progress.log(`${tag}: FAILED ${p.result.error.message} [${p.result.error.code}]`);
      }
    }
  } finally {
    progress.stop();
    await disposeEngines();
  }
  const results = planned.map((p) => p.result);
  const ok = results.filter((r) => r.ok).length;
  const seconds = (performance.now() - t0) / 1000;
  const pages = results.reduce((s, r) => s + (r.pages ?? 0), 0);
  const summary: ScanBatchSummary = {
    format: o.format,
    total: n,
    succeeded: ok,
    failed: n - ok,
    pages,
    seconds: Number(seconds.toFixed(3)),
    pages_per_second: Number((seconds > 0 ? pages / seconds : 0).toFixed(3)),
    files: results,
  };
  if (o.json) printJson(summary);
  if (!o.quiet)
    process.stderr.write(
      `${n} file(s): ${ok} succeeded, ${n - ok} failed; ${pages} page(s) in ${seconds.toFixed(1)} s (${summary.pages_per_second.toFixed(2)} pages/s)\n`,
    );
  return batchExit(ok, n - ok);
}
