/** `ocrflow retry <id…>`: queue failed or canceled jobs again; each resumes after its last finished page. */
import type { Command } from 'commander';
import { addServerOptions, type ClientFlags } from './client.config.ts';
import { runCommand } from './client.output.ts';
import { eachJob } from './cancel.command.ts';

const EXAMPLES = `
Examples:
  $ ocrflow retry 01JD3W9K8V6X0QZ5N4T2R7M1AB && ocrflow wait 01JD3W9K8V6X0QZ5N4T2R7M1AB
  $ ocrflow jobs --status failed --json | jq -r '.jobs[].id' | xargs ocrflow retry

Only failed or canceled jobs can be retried (others: OCRFLOW_ERR_INVALID_STATE).
Exit codes: 0 all queued again, 3 some, 1 none, 2 usage.
`;

export function register(program: Command): void {
  addServerOptions(
    program
      .command('retry')
      .description('Retry failed or canceled jobs of an ocrflow service')
      .argument('<ids...>', 'job ids')
      .option('--json', 'print the jobs (or errors) as JSON'),
  )
    .addHelpText('after', EXAMPLES)
    .action((ids: string[], o: ClientFlags & { json?: boolean }) => runCommand(o.json, () => eachJob(ids, o, (client, id) => client.retry(id))));
}
