/** `ocrflow result <id> --format …`: fetch a finished job's result from an ocrflow service. */
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { RESULT_FORMATS, type ResultFormat } from '@ocrflow/client';
import { addServerOptions, makeClient, UsageError, type ClientFlags } from './client.config.ts';
import { EXIT, printJson, runCommand } from './client.output.ts';

const EXAMPLES = `
Examples:
  $ ocrflow result 01JD3W9K8V6X0QZ5N4T2R7M1AB                       # text on stdout
  $ ocrflow result 01JD3W9K8V6X0QZ5N4T2R7M1AB -f xlsx -o report.xlsx
  $ ocrflow result 01JD3W9K8V6X0QZ5N4T2R7M1AB -f json | jq '.pages[0].blocks | length'
  $ ocrflow result 01JD3W9K8V6X0QZ5N4T2R7M1AB -f markdown --partial  # pages done so far

The job must be finished (else OCRFLOW_ERR_RESULT_NOT_READY) unless --partial.
Exit codes: 0 ok, 1 error, 2 usage (e.g. xlsx to a terminal without -o).
`;

interface Opts extends ClientFlags {
  format: ResultFormat;
  output?: string;
  partial?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  addServerOptions(
    program
      .command('result')
      .description('Fetch the result of a job of an ocrflow service')
      .argument('<id>', 'job id')
      .addOption(new Option('-f, --format <format>', 'result format').choices([...RESULT_FORMATS]).default('text'))
      .option('-o, --output <file>', 'write to this file instead of stdout')
      .option('--partial', 'the pages finished so far, while the job runs')
      .option('--json', 'with -o: print {id, format, output, bytes}; otherwise the result wrapped as JSON'),
  )
    .addHelpText('after', EXAMPLES)
    .action((id: string, o: Opts) => runCommand(o.json, () => fetchResult(id, o)));
}

async function fetchResult(id: string, o: Opts): Promise<number> {
  if ((o.format === 'xlsx' || o.format === 'pdf') && !o.output && (process.stdout.isTTY || o.json))
    throw new UsageError(`The ${o.format} format is binary: give an output file with -o (or redirect stdout)`);
  const client = makeClient(o);
  const body =
    o.format === 'json'
      ? JSON.stringify(await client.result(id, 'json', { partial: o.partial }), null, 2) + '\n'
      : await client.result(id, o.format, { partial: o.partial });
  if (o.output) {
    await writeFile(o.output, body);
    const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (o.json) printJson({ id, format: o.format, output: o.output, bytes });
    else process.stderr.write(`ocrflow: wrote ${o.output} (${bytes} bytes)\n`);
  } else if (o.json) {
    printJson(o.format === 'json' ? { id, format: o.format, content: JSON.parse(body as string) } : { id, format: o.format, content: body });
  } else {
    process.stdout.write(body);
  }
  return EXIT.OK;
}
