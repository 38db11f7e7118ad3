/**
 * `ocrflow serve`: run the service. Every setting of `SETTINGS` in `@ocrflow/core` is a flag here
 * (generated, so a new setting is a new flag without touching this file); flags win over the
 * environment. SIGTERM/SIGINT shut down gracefully: stop taking jobs, hand running ones back to the
 * queue, close HTTP and the database. A second signal exits at once.
 */
import { Option, type Command } from 'commander';
import { OcrflowError, SETTINGS, loadConfig, type SettingKey } from '@ocrflow/core';

type SettingDefLike = { env: string; flag: string; kind: string; default: string; help: string; values?: readonly string[] };

export function register(program: Command): void {
  const cmd = program.command('serve').description('Run the OCR service (default: the embedded shape — HTTP API, worker threads, SQLite under --data-dir)');
  cmd.addHelpText(
    'after',
    `
Examples:
  $ ocrflow serve                                        # http://127.0.0.1:8080, data in ./data
  $ ocrflow serve --port 9000 --workers 1 --tokens s3cret
  $ OCRFLOW_TOKENS=s3cret OCRFLOW_DATA_DIR=/var/lib/ocrflow ocrflow serve --host 0.0.0.0
  $ ocrflow serve --role api --database-url postgres://… --redis-url redis://…   # scaled: API only
  $ ocrflow serve --role worker --concurrency 2 --health-port 9101                # scaled: OCR only
  (scaled shape: docs/deploy.md)
`,
  );
  const attr = new Map<string, SettingKey>();
  for (const [key, d] of Object.entries(SETTINGS) as [SettingKey, SettingDefLike][]) {
    const o = new Option(
      d.kind === 'bool' ? `--${d.flag} [value]` : `--${d.flag} <value>`,
      `${d.help} (env ${d.env}${d.default ? `, default ${d.default}` : ''})`,
    );
    if (d.values) o.choices([...d.values]);
    cmd.addOption(o);
    attr.set(o.attributeName(), key);
  }
  // The name worker processes are usually started with; the same setting as --workers.
  cmd.addOption(new Option('--concurrency <n>', 'Jobs this process runs at once (same as --workers; for --role worker|all)'));
  cmd.action(async (opts: Record<string, string | boolean>) => {
    const overrides: Partial<Record<SettingKey, string | boolean>> = {};
    for (const [name, value] of Object.entries(opts)) {
      const key = attr.get(name);
      if (key && value !== undefined) overrides[key] = value;
    }
    if (opts.concurrency !== undefined) {
      if (overrides.workers !== undefined && String(overrides.workers) !== String(opts.concurrency))
        throw new OcrflowError('OCRFLOW_ERR_VALIDATION', '--concurrency and --workers are the same setting; give one');
      overrides.workers = opts.concurrency;
    }
    const config = loadConfig({ overrides });
    const { startService } = await import('@ocrflow/server');
    const service = await startService({ config });
    const log = service.services.ctx.log;
    // Keep serving whatever one request or job does; the store's transactions keep state consistent.
    process.on('unhandledRejection', (e) => log.error({ err: e }, 'unhandled promise rejection'));
    process.on('uncaughtException', (e) => log.error({ err: e }, 'uncaught exception'));
    const workers = config.role === 'all' || config.role === 'worker' ? config.workers : 0;
    if (config.role === 'worker' && !config.healthPort)
      process.stderr.write(`ocrflow: running (role worker, ${workers} workers, no HTTP; --health-port to serve /health)\n`);
    else
      process.stderr.write(
        `ocrflow: listening on ${service.url} (role ${config.role}${config.role === 'worker' ? ': /health, /ready, /metrics only' : ''}, ${workers} workers, data ${config.dataDirAbs})\n`,
      );
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`ocrflow: ${signal} again, exiting now\n`);
          process.exit(1);
        }
        stopping = true;
        process.stderr.write(`ocrflow: ${signal}, shutting down\n`);
        service.close().then(resolve, (e) => {
          log.error({ err: e }, 'shutdown failed');
          resolve();
        });
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  });
}
