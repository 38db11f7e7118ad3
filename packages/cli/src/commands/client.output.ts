/**
 * Output and exit codes shared by the client commands: `--json` prints one JSON value on stdout
 * (errors too: `{"error": {code, message, status}}`), people get lines on stdout and messages on
 * stderr. Exit codes (docs/cli.md): 0 ok, 1 failure, 2 usage, 3 partial.
 */
import { OcrflowApiError, OcrflowClientError, OcrflowInputError, OcrflowNetworkError, OcrflowTimeoutError, type Job } from '@ocrflow/client';
import { UsageError } from './client.config.ts';

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, PARTIAL: 3 } as const;

export interface ErrorInfo {
  code: string;
  message: string;
  status?: number;
}

export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof OcrflowApiError) return { code: e.code, message: e.message, status: e.status };
  if (e instanceof OcrflowNetworkError)
    return {
      code: 'OCRFLOW_ERR_OCR_SERVICE_UNAVAILABLE',
      message: `${e.message}. Is the service running? Start one with \`npx ocrflow serve\`, or point --server / OCRFLOW_SERVER_URL at it.`,
    };
  if (e instanceof OcrflowTimeoutError || e instanceof OcrflowInputError) return { code: e.code, message: e.message };
  if (e instanceof UsageError) return { code: 'OCRFLOW_ERR_VALIDATION', message: e.message };
  const o = e as { code?: unknown; message?: unknown; name?: string };
  if (typeof o?.code === 'string' && o.code.startsWith('OCRFLOW_ERR_')) return { code: o.code, message: String(o.message) };
  return { code: 'OCRFLOW_ERR_INTERNAL', message: (e as Error)?.message ?? String(e) };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * Run a command body: its return value is the exit code; SDK errors become a message (or a JSON
 * error object with --json) and exit 1, usage errors exit 2. Anything else is a bug and goes up
 * to main() with its stack.
 */
export async function runCommand(json: boolean | undefined, body: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await body();
  } catch (e) {
    if (
      !(e instanceof OcrflowClientError) &&
      !(e instanceof UsageError) &&
      !(typeof (e as { code?: unknown })?.code === 'string' && String((e as { code: string }).code).startsWith('OCRFLOW_ERR_'))
    )
      throw e;
    const info = errorInfo(e);
    if (json) printJson({ error: info });
    process.stderr.write(`ocrflow: ${info.message} [${info.code}${info.status ? `, HTTP ${info.status}` : ''}]\n`);
    code = e instanceof UsageError ? EXIT.USAGE : EXIT.FAILURE;
  }
  process.exitCode = code;
}

/** `3s`, `5m`, `2h`, `4d` since an ISO time. */
export function age(iso: string | null, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function pagesOf(j: Pick<Job, 'done_pages' | 'page_count'>): string {
  return `${j.done_pages}/${j.page_count}`;
}

/** Several lines describing one job, for `status`, `cancel`, `retry`. */
export function describeJob(j: Job): string {
  const rows: [string, string | null][] = [
    ['id', j.id],
    ['task_id', j.task_id],
    ['status', j.status + (j.queue_position ? ` (position ${j.queue_position} in the queue)` : '')],
    ['file', j.filename ? `${j.filename} (${j.mime}, ${j.size_bytes} bytes)` : null],
    ['pages', pagesOf(j)],
    ['engine', `${j.engine}, mode ${j.mode}, languages ${j.languages.join(',')}`],
    ['attempts', String(j.attempts)],
    ['created', `${j.created_at} (${age(j.created_at)} ago)`],
    ['started', j.started_at],
    ['finished', j.finished_at],
    ['error', j.error ? `${j.error.message} [${j.error.code}]` : null],
    ['webhook', j.webhook_url],
    ['result', j.result_url],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== null && r[1] !== '');
  const w = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

/** Exit code of a batch: every item ok, some, or none. */
export function batchExit(ok: number, failed: number): number {
  if (failed === 0) return EXIT.OK;
  return ok > 0 ? EXIT.PARTIAL : EXIT.FAILURE;
}
