/** `ocrflow status <id>`: one job's state, pages, times and error. */
import type { Command } from 'commander';
import { addServerOptions, makeClient, type ClientFlags } from './client.config.ts';
import { describeJob, EXIT, printJson, runCommand } from './client.output.ts';

const EXAMPLES = `
Examples:
  $ ocrflow status 01JD3W9K8V6X0QZ5N4T2R7M1AB
  $ ocrflow status 01JD3W9K8V6X0QZ5N4T2R7M1AB --json | jq -r .status

Exit codes: 0 the job was read (whatever its status), 1 error (e.g. unknown job), 2 usage.
`;

interface Opts extends ClientFlags {
  json?: boolean;
}

export function register(program: Command): void {
  addServerOptions(
    program.command('status').description('Show a job of an ocrflow service').argument('<id>', 'job id').option('--json', 'print the job as JSON'),
  )
    .addHelpText('after', EXAMPLES)
    .action((id: string, o: Opts) =>
      runCommand(o.json, async () => {
        const job = await makeClient(o).get(id);
        if (o.json) printJson(job);
        else process.stdout.write(describeJob(job));
        return EXIT.OK;
      }),
    );
}
