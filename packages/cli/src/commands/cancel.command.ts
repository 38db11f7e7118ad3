/** `ocrflow cancel <id…>`: cancel queued or running jobs (a running job stops at its next page). */
import type { Command } from 'commander';
import type { Job } from '@ocrflow/client';
import { addServerOptions, makeClient, type ClientFlags } from './client.config.ts';
import { batchExit, errorInfo, printJson, runCommand, type ErrorInfo } from './client.output.ts';

const EXAMPLES = `
Examples:
  $ ocrflow cancel 01JD3W9K8V6X0QZ5N4T2R7M1AB
  $ ocrflow jobs --status queued --json | jq -r '.jobs[].id' | xargs ocrflow cancel

Canceling a canceled job is a no-op; a finished or failed job cannot be canceled
(OCRFLOW_ERR_INVALID_STATE). Exit codes: 0 all canceled, 3 some, 1 none, 2 usage.
`;

interface Opts extends ClientFlags {
  json?: boolean;
}

export function register(program: Command): void {
  addServerOptions(
    program
      .command('cancel')
      .description('Cancel jobs of an ocrflow service')
      .argument('<ids...>', 'job ids')
      .option('--json', 'print the jobs (or errors) as JSON'),
  )
    .addHelpText('after', EXAMPLES)
    .action((ids: string[], o: Opts) => runCommand(o.json, () => eachJob(ids, o, (client, id) => client.cancel(id))));
}

/** Apply one job operation to several ids; errors per id do not stop the others. */
export async function eachJob(ids: string[], o: Opts, op: (client: ReturnType<typeof makeClient>, id: string) => Promise<Job>): Promise<number> {
  const client = makeClient(o);
  const out: ({ id: string; job: Job } | { id: string; error: ErrorInfo })[] = [];
  for (const id of ids) {
    try {
      const job = await op(client, id);
      out.push({ id, job });
      if (!o.json) process.stdout.write(`${job.id}  ${job.status}\n`);
    } catch (e) {
      const error = errorInfo(e);
      out.push({ id, error });
      process.stderr.write(`ocrflow: ${id}: ${error.message} [${error.code}${error.status ? `, HTTP ${error.status}` : ''}]\n`);
    }
  }
  const ok = out.filter((r) => 'job' in r).length;
  if (o.json) printJson(ids.length === 1 ? ('job' in out[0] ? out[0].job : { error: out[0].error }) : { jobs: out.map((r) => ('job' in r ? r.job : r)) });
  return batchExit(ok, out.length - ok);
}
