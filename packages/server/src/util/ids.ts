/**
 * Job ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), monotonic within a
 * process. They sort by creation time, so "newest first" and the list cursor are plain comparisons
 * on the primary key in any SQL dialect.
 */
import { monotonicFactory } from 'ulidx';

const nextUlid = monotonicFactory();

export function newJobId(now = Date.now()): string {
  return nextUlid(now);
}

export const JOB_ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';
export const isJobId = (s: string): boolean => new RegExp(JOB_ID_PATTERN).test(s);

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(c: string): string | null {
  const id = Buffer.from(c, 'base64url').toString('utf8');
  return isJobId(id) ? id : null;
}
