/**
 * `ocrflow wait <id>`: follow a job to its end with a progress bar (server-sent events, long-poll
 * when a proxy does not stream; it rides out connection drops and server restarts).
 */
import type { Command } from 'commander';
import { addServerOptions, makeClient, UsageError, type ClientFlags } from './client.config.ts';
import { EXIT, errorInfo, printJson, runCommand } from './client.output.ts';
import { PagesProgress } from './progress.bar.ts';

const EXAMPLES = `
Examples:
  $ ocrflow wait 01JD3W9K8V6X0QZ5N4T2R7M1AB
  $ ocrflow wait 01JD3W9K8V6X0QZ5N4T2R7M1AB --timeout 600 --json > job.json
  $ id=$(ocrflow submit scan.png --json | jq -r '.jobs[0].id') && ocrflow wait "$id" && ocrflow result "$id" -f markdown

Exit codes: 0 finished, 1 failed, canceled, timed out or an error, 2 usage.
`;

interface Opts extends ClientFlags {
  timeout?: string;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  addServerOptions(
    program
      .command('wait')
      .description('Wait for a job of an ocrflow service to end, showing its progress')
      .argument('<id>', 'job id')
      .option('--timeout <seconds>', 'give up after this long (exit 1)')
      .option('--json', 'print the ended job as JSON')
      .option('-q, --quiet', 'no progress on stderr'),
  )
    .addHelpText('after', EXAMPLES)
    .action((id: string, o: Opts) => runCommand(o.json, () => waitOne(id, o)));
}

async function waitOne(id: string, o: Opts): Promise<number> {
  const timeoutS = o.timeout !== undefined ? Number(o.timeout) : undefined;
  if (timeoutS !== undefined && !(timeoutS > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const client = makeClient(o);
  const first = await client.get(id);
  const progress = new PagesProgress({ total: first.page_count, enabled: !o.quiet });
  progress.setStatus(first.status);
  let job;
  try {
    job = await client.waitFor(first, {
      timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : undefined,
      onEvent: (ev) => {
        if (typeof ev.total_pages === 'number' && ev.total_pages > 0) progress.setTotal(ev.total_pages);
        if (ev.type === 'running' && ev.phase === 'page') progress.advance(1, `running page ${ev.page}`);
        else progress.setStatus(ev.type === 'queued' && ev.reason ? `queued (${ev.reason})` : ev.type);
      },
      onRetry: (err, attempt) => attempt === 1 && progress.log(`ocrflow: connection lost (${errorInfo(err).message.split('. ')[0]}); retrying`),
    });
  } finally {
    progress.stop();
  }
  if (o.json) printJson(job);
  else process.stdout.write(`${job.id}  ${job.status}${job.error ? `  ${job.error.message} [${job.error.code}]` : ''}\n`);
  return job.status === 'finished' ? EXIT.OK : EXIT.FAILURE;
}
