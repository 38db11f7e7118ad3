/**
 * `ocrflow submit <files…|dir>`: upload documents to an ocrflow service as jobs (a folder as one
 * batch, `submit.batch.ts`); with `--wait`, follow them to the end with one progress bar over all
 * their pages. A file that cannot be
 * submitted (unreadable, refused by the server) is reported and the others go on.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { EngineName, Job, JobMode, OcrflowClient, SubmitOptions, WebhookEventName } from '@ocrflow/client';
import { ENGINE_NAMES } from '@ocrflow/core';
import { addServerOptions, makeClient, UsageError, type ClientFlags } from './client.config.ts';
import { batchExit, errorInfo, printJson, runCommand, type ErrorInfo } from './client.output.ts';
import { expandInputs } from './files.expand.ts';
import { PagesProgress } from './progress.bar.ts';
import { submitFolderBatch } from './submit.batch.ts';

const EXAMPLES = `
Examples:
  $ ocrflow submit scan.jpg                                  # prints the job id
  $ ocrflow submit scan.jpg --wait && ocrflow result <id> --format xlsx -o scan.xlsx
  $ ocrflow submit invoices/ --wait --mode text --json       # a folder: one batch, one JSON summary
  $ ocrflow submit scans/ --batch-id scans-2026 --webhook https://example.com/hooks/batch
  $ ocrflow submit a.pdf --task-id invoice-42 --webhook https://example.com/hooks/ocr
  $ ocrflow submit /srv/inbox/a.pdf --server-path            # a file the server reads itself
  $ OCRFLOW_SERVER_URL=https://ocr.example.com OCRFLOW_TOKEN=... ocrflow submit a.png

Exit codes: 0 all submitted (with --wait: all finished), 3 some failed, 1 none succeeded, 2 usage.
`;

interface SubmitOpts extends ClientFlags {
  wait?: boolean;
  taskId?: string;
  webhook?: string;
  webhookEvents?: string;
  engine?: EngineName;
  mode?: JobMode;
  languages?: string;
  prompt?: string;
  serverPath?: boolean;
  batch?: boolean;
  batchId?: string;
  timeout?: string;
  json?: boolean;
  quiet?: boolean;
}

interface Entry {
  file: string;
  job?: Job;
  error?: ErrorInfo;
}

const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

export function register(program: Command): void {
  const cmd = program
    .command('submit')
    .description('Submit documents to an ocrflow service as OCR jobs, a folder as one batch (optionally wait for them)')
    .argument('<files...>', 'images, PDFs or folders of them (with --server-path: paths on the server)')
    .option('-w, --wait', 'wait until every job has ended, with a progress bar on stderr')
    .option('--task-id <id>', 'your id for the document (several files: <id>/<file name>); resubmitting returns the same job')
    .option('--webhook <url>', 'called when each job ends (signed, see docs/webhooks.md)')
    .option('--webhook-events <list>', 'finished,failed,canceled,progress (default: the first three)')
    .addOption(new Option('-e, --engine <name>', "OCR engine (default: the server's)").choices([...ENGINE_NAMES]))
    .addOption(new Option('-m, --mode <mode>', 'layout (tables, blocks) or text (faster)').choices(['layout', 'text']))
    .option('-l, --languages <list>', 'comma-separated languages, e.g. ch,en')
    .option('--prompt <text>', 'prompt for the vlm engine')
    .option('--server-path', 'the arguments are paths on the server, under its OCRFLOW_INPUT_DIRS (nothing is uploaded)')
    .option('--batch-id <id>', 'a folder: your id for its batch; the same command again finds the batch instead of submitting twice')
    .option('--no-batch', 'a folder: submit each file as a job of its own (each with its own webhook) instead of one batch')
    .option('--timeout <seconds>', 'with --wait: give up after this long (exit 1)')
    .option('--json', 'print one JSON summary on stdout')
    .option('-q, --quiet', 'no progress on stderr');
  addServerOptions(cmd)
    .addHelpText('after', EXAMPLES)
    .action((files: string[], o: SubmitOpts) => runCommand(o.json, () => submit(files, o)));
}

async function submit(args: string[], o: SubmitOpts): Promise<number> {
  const client = makeClient(o);
  const timeoutS = o.timeout !== undefined ? Number(o.timeout) : undefined;
  if (timeoutS !== undefined && !(timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const events = list(o.webhookEvents) as WebhookEventName[] | undefined;
  const bad = events?.filter((e) => !['finished', 'failed', 'canceled', 'progress'].includes(e));
  if (bad?.length) throw new UsageError(`Unknown webhook event(s): ${bad.join(', ')}; use finished, failed, canceled, progress`);
  const expanded = o.serverPath ? { files: args.map((a) => ({ path: a, rel: path.basename(a), missing: false })), sawFolder: false } : await expandInputs(args);
  const files = expanded.files;
  if (files.length === 0) throw new UsageError(`No documents (png, jpg, webp, tiff, bmp, pdf) in ${args.join(', ')}`);
  const asBatch = expanded.sawFolder && o.batch !== false;
  if (o.batchId !== undefined && !asBatch) throw new UsageError('--batch-id is for a folder submitted as one batch');
  if (asBatch) {
    if (events)
      throw new UsageError("--webhook-events is for single jobs: a folder's batch calls --webhook once, when every document has ended (or use --no-batch)");
    const opts = {
      batchId: o.batchId,
      taskIdPrefix: o.taskId,
      webhookUrl: o.webhook,
      engine: o.engine,
      mode: o.mode,
      languages: list(o.languages),
      prompt: o.prompt,
    };
    return submitFolderBatch(client, files, {
      ...opts,
      wait: o.wait,
      json: o.json,
      quiet: o.quiet,
      timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined,
    });
  }
  const log = (line: string) => !o.quiet && process.stderr.write(`${line}\n`);

  const entries: Entry[] = [];
  for (const f of files) {
    const opts: SubmitOptions = {
      taskId: o.taskId === undefined ? undefined : files.length === 1 ? o.taskId : `${o.taskId}/${f.rel.split(path.sep).join('/')}`,
      webhookUrl: o.webhook,
      webhookEvents: events,
      engine: o.engine,
      mode: o.mode,
      languages: list(o.languages),
      prompt: o.prompt,
    };
    try {
      if (f.missing) throw Object.assign(new Error(`Cannot read ${f.path}: no such file or folder`), { code: 'OCRFLOW_ERR_FILE_NOT_FOUND' });
      const job = o.serverPath ? await client.submitPath(f.path, opts) : await client.submit(f.path, opts);
      entries.push({ file: f.path, job });
      if (!o.json) process.stdout.write(`${job.id}  ${job.status}  ${f.path}\n`);
    } catch (e) {
      const error = errorInfo(e);
      entries.push({ file: f.path, error });
      log(`ocrflow: ${f.path}: ${error.message} [${error.code}]`);
      // Nothing else will get through either: stop instead of repeating the same error per file.
      if (error.code === 'OCRFLOW_ERR_UNAUTHORIZED' || error.code === 'OCRFLOW_ERR_OCR_SERVICE_UNAVAILABLE') {
        for (const rest of files.slice(entries.length))
          entries.push({ file: rest.path, error: { code: error.code, message: `Not submitted: ${error.message}` } });
        break;
      }
    }
  }

  if (o.wait) await waitAll(client, entries, { quiet: o.quiet, timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined });

  const ok = entries.filter((e) => e.job && !e.error && (!o.wait || e.job.status === 'finished')).length;
  const failed = entries.length - ok;
  if (o.json) {
    printJson({
      jobs: entries.map((e) => ({
        file: e.file,
        ...(e.job
          ? {
              id: e.job.id,
              task_id: e.job.task_id,
              status: e.job.status,
              pages: e.job.page_count,
              done_pages: e.job.done_pages,
              result_url: e.job.result_url,
              error: e.error ?? e.job.error,
            }
          : { error: e.error }),
      })),
      total: entries.length,
      succeeded: ok,
      failed,
    });
  } else if (o.wait) {
    for (const e of entries)
      if (e.job) process.stdout.write(`${e.job.id}  ${e.job.status}${e.job.error ? ` (${e.job.error.message} [${e.job.error.code}])` : ''}  ${e.file}\n`);
  }
  if (entries.length > 1) log(`${entries.length} file(s): ${ok} ${o.wait ? 'finished' : 'submitted'}, ${failed} failed`);
  return batchExit(ok, failed);
}

/** Wait for each job in turn (they run in submission order); one bar over all pages. */
async function waitAll(client: OcrflowClient, entries: Entry[], o: { quiet?: boolean; timeoutMs?: number }): Promise<void> {
  const waiting = entries.filter((e) => e.job);
  const progress = new PagesProgress({ total: waiting.reduce((n, e) => n + (e.job?.page_count ?? 0), 0), enabled: !o.quiet });
  const signal = o.timeoutMs !== undefined ? AbortSignal.timeout(o.timeoutMs) : undefined;
  try {
    for (const e of waiting) {
      const job = e.job as Job;
      progress.setStatus(`${job.id} ${path.basename(e.file)}`);
      try {
        e.job = await client.waitFor(job, {
          signal,
          onEvent: (ev) => {
            if (ev.type === 'running' && ev.phase === 'page') progress.advance(1);
            if (ev.type !== 'running') progress.setStatus(`${job.id} ${ev.type}`);
          },
          onRetry: (err, attempt) => attempt === 1 && progress.log(`ocrflow: connection lost (${errorInfo(err).message.split('. ')[0]}); retrying`),
        });
        if (e.job.status !== 'finished') progress.log(`${e.file}: ${e.job.status}${e.job.error ? ` — ${e.job.error.message} [${e.job.error.code}]` : ''}`);
      } catch (err) {
        e.error = signal?.aborted ? { code: 'OCRFLOW_ERR_TIMEOUT', message: `Still ${job.status} after ${o.timeoutMs} ms` } : errorInfo(err);
        progress.log(`${e.file}: ${e.error.message} [${e.error.code}]`);
        if (signal?.aborted) {
          for (const rest of waiting.slice(waiting.indexOf(e) + 1)) rest.error ??= { code: 'OCRFLOW_ERR_TIMEOUT', message: 'Not waited for: --timeout passed' };
          break;
        }
      }
    }
  } finally {
    progress.stop();
  }
}
