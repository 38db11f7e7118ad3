/**
 * The logger the analysis step writes to: pino's call shape (`warn(obj, msg)`), so a server passes
 * its fastify/pino logger and tests pass a recorder. The default writes JSON lines to stderr, never
 * stdout (`ocrflow scan --format analysis` prints the result there).
 */
import pino from 'pino';

export interface AnalysisLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

let fallback: AnalysisLogger | undefined;

export function defaultLogger(level = 'info'): AnalysisLogger {
  fallback ??= pino({ name: 'ocrflow.analysis', level }, pino.destination(2));
  return fallback;
}
