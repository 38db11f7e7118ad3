/**
 * Where the client commands (`submit`, `status`, `wait`, `result`, `jobs`, `cancel`, `retry`)
 * find the service: `--server` / `--token` flags, else OCRFLOW_SERVER_URL / OCRFLOW_TOKEN, else
 * the embedded default `http://127.0.0.1:8080`.
 *
 * Why here and not in `SETTINGS` of `@ocrflow/core`: those are the *service's* settings, and every
 * one of them becomes a `serve` flag; a `serve --server-url` would mean nothing. These two are the
 * only settings of the client side, read in this one typed place (documented in docs/cli.md).
 */
import { Option, type Command } from 'commander';
import { OcrflowClient } from '@ocrflow/client';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';
export const CLIENT_ENV = { serverUrl: 'OCRFLOW_SERVER_URL', token: 'OCRFLOW_TOKEN' } as const;

export interface ClientConfig {
  serverUrl: string;
  /** Empty: no Authorization header (an open server). */
  token: string;
}

export interface ClientFlags {
  server?: string;
  token?: string;
}

export function loadClientConfig(flags: ClientFlags, env: Record<string, string | undefined> = process.env): ClientConfig {
  const serverUrl = (flags.server || env[CLIENT_ENV.serverUrl] || DEFAULT_SERVER_URL).trim().replace(/\/+$/, '');
  const token = (flags.token ?? env[CLIENT_ENV.token] ?? '').trim();
  return { serverUrl, token };
}

/** `--server` and `--token` on a client command. */
export function addServerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--server <url>', `ocrflow service URL (env ${CLIENT_ENV.serverUrl}, default ${DEFAULT_SERVER_URL})`))
    .addOption(new Option('--token <token>', `Bearer token, one of the server's OCRFLOW_TOKENS (env ${CLIENT_ENV.token})`));
}

export function makeClient(flags: ClientFlags): OcrflowClient {
  const c = loadClientConfig(flags);
  if (!/^https?:\/\//i.test(c.serverUrl)) throw new UsageError(`--server must be an http(s) URL, got "${c.serverUrl}"`);
  return new OcrflowClient({ baseUrl: c.serverUrl, token: c.token || undefined, userAgent: 'ocrflow-cli/0.1.0' });
}

/** A mistake in how the command was called: exit code 2, like commander's own errors. */
export class UsageError extends Error {
  override name = 'UsageError';
}
