/**
 * The retry schedule of webhook deliveries: OCRFLOW_WEBHOOK_SCHEDULE lists the delay before each
 * retry (`5s,30s,2m,…`; units ms, s, m, h; a bare number is seconds). Attempts = entries + 1; after
 * the last one fails the delivery is `dead`. Each delay is jittered by ±20 % so deliveries that
 * failed together (a receiver was down for everyone) do not all come back at the same instant.
 */
import { ConfigError } from '@ocrflow/core';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const JITTER = 0.2;

export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(raw.trim());
  if (!m) throw new ConfigError(`OCRFLOW_WEBHOOK_SCHEDULE: ${JSON.stringify(raw)} is not a duration like 200ms, 5s, 2m or 1h`, 'webhookSchedule');
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? 's').toLowerCase()]);
}

export function parseSchedule(entries: readonly string[]): number[] {
  const out = entries.map(parseDuration);
  if (out.length > 100) throw new ConfigError('OCRFLOW_WEBHOOK_SCHEDULE: at most 100 retries', 'webhookSchedule');
  return out;
}

/**
 * Delay before the retry that follows failed attempt `n` (1-based), or null when `n` was the last
 * attempt. `random` is injectable for tests.
 */
export function retryDelay(schedule: readonly number[], n: number, random: () => number = Math.random): number | null {
  if (n < 1 || n > schedule.length) return null;
  const base = schedule[n - 1];
  return Math.max(0, Math.round(base * (1 - JITTER + 2 * JITTER * random())));
}
