/** `ocrflow jobs`: the jobs of an ocrflow service as a table (id, task_id, status, pages, age, file), newest first. */
import { Option, type Command } from 'commander';
import { JOB_STATUSES, type Job, type JobStatus } from '@ocrflow/client';
import { addServerOptions, makeClient, UsageError, type ClientFlags } from './client.config.ts';
import { age, EXIT, pagesOf, printJson, runCommand, table } from './client.output.ts';

const EXAMPLES = `
Examples:
  $ ocrflow jobs                                   # the 20 newest
  $ ocrflow jobs --status queued,running
  $ ocrflow jobs --task-id invoice-42 --json
  $ ocrflow jobs --all --status failed --json | jq -r '.jobs[].id'

Exit codes: 0 ok, 1 error, 2 usage.
`;

interface Opts extends ClientFlags {
  taskId?: string;
  status?: string;
  limit: string;
  all?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  addServerOptions(
    program
      .command('jobs')
      .description('List jobs of an ocrflow service, newest first')
      .option('--task-id <id>', 'only the jobs with this task_id')
      .addOption(new Option('-s, --status <list>', `comma-separated: ${JOB_STATUSES.join(', ')}`))
      .option('-n, --limit <n>', 'at most this many (1-100)', '20')
      .option('-a, --all', 'every matching job (pages through all of them)')
      .option('--json', 'print {jobs, next_cursor} as JSON'),
  )
    .addHelpText('after', EXAMPLES)
    .action((o: Opts) => runCommand(o.json, () => listJobs(o)));
}

async function listJobs(o: Opts): Promise<number> {
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit must be a whole number from 1 to 100');
  const status = o.status
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = status?.filter((s) => !(JOB_STATUSES as readonly string[]).includes(s));
  if (unknown?.length) throw new UsageError(`Unknown status ${unknown.join(', ')}; use ${JOB_STATUSES.join(', ')}`);
  const client = makeClient(o);
  const query = { taskId: o.taskId, status: status as JobStatus[] | undefined, limit };
  let jobs: Job[];
  let next: string | null = null;
  if (o.all) {
    jobs = [];
    for await (const j of client.listAll({ ...query, limit: 100 })) jobs.push(j);
  } else {
    const page = await client.list(query);
    jobs = page.jobs;
    next = page.next_cursor;
  }
  if (o.json) {
    printJson({ jobs, next_cursor: next });
    return EXIT.OK;
  }
  if (jobs.length === 0) {
    process.stderr.write('No jobs.\n');
    return EXIT.OK;
  }
  const now = Date.now();
  process.stdout.write(
    table(
      ['ID', 'TASK_ID', 'STATUS', 'PAGES', 'AGE', 'FILE'],
      jobs.map((j) => [j.id, j.task_id ?? '-', j.status, pagesOf(j), age(j.created_at, now), j.filename ?? '-']),
    ),
  );
  if (next) process.stderr.write(`(more: --limit, or --all)\n`);
  return EXIT.OK;
}
