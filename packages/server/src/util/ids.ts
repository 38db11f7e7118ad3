/**
 * Job ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), monotonic within a
 * process. They sort by creation time, so "newest first" and the list cursor are plain comparisons
 * on the primary key in any SQL dialect.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(t: number): string {
  let s = '';
  for (let i = 0; i < 10; i++) {
    s = ALPHABET[t % 32] + s;
    t = Math.floor(t / 32);
  }
  return s;
}

function freshRandom(): number[] {
  const b = randomBytes(16);
  return Array.from({ length: 16 }, (_, i) => b[i] % 32);
}

/** Increment the base32 digits; on the (astronomically rare) overflow take fresh randomness. */
function increment(r: number[]): number[] {
  const out = [...r];
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] < 31) {
      out[i]++;
      return out;
    }
    out[i] = 0;
  }
  return freshRandom();
}

export function newJobId(now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = freshRandom();
  }
  return encodeTime(lastTime) + lastRandom.map((d) => ALPHABET[d]).join('');
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
