/**
 * Entry of the `ocrflow` command. Each command lives in `commands/<name>.command.ts` and exports
 * `register(program)`; add new ones to COMMANDS. `main()` returns the process exit code (see
 * docs/cli.md): 0 ok, 1 failure, 2 usage error, 3 partial success (some files of a batch failed).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, isOcrflowError } from '@ocrflow/core';

export type Register = (program: Command) => void;

const COMMANDS: (() => Promise<{ register: Register }>)[] = [
  () => import('./commands/scan.command.ts'),
  () => import('./commands/eval.command.ts'),
  () => import('./commands/serve.command.ts'),
  () => import('./commands/submit.command.ts'),
  () => import('./commands/status.command.ts'),
  () => import('./commands/wait.command.ts'),
  () => import('./commands/result.command.ts'),
  () => import('./commands/jobs.command.ts'),
  () => import('./commands/cancel.command.ts'),
  () => import('./commands/retry.command.ts'),
  () => import('./commands/completion.command.ts'),
];

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, PARTIAL: 3 } as const;

export async function buildProgram(): Promise<Command> {
  const program = new Command('ocrflow')
    .description('Self-hosted document OCR: job service, table-to-Excel workbench, local scans')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`ocrflow: ${e.message}\n`);
      return EXIT.FAILURE;
    }
    if (isOcrflowError(e)) {
      process.stderr.write(`ocrflow: ${e.message} [${e.code}]\n`);
      return EXIT.FAILURE;
    }
    process.stderr.write(`ocrflow: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.FAILURE;
  }
}
