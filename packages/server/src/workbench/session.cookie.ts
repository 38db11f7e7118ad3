/**
 * The workbench's browser session cookie, stateless: `v1.<sid>.<exp>.<mac>` where `sid` is 16
 * random bytes, `exp` the expiry (epoch seconds) and `mac` an HMAC-SHA256 of `v1.<sid>.<exp>`.
 *
 * - The cookie is never the API token: a stolen cookie cannot be used as `Authorization: Bearer`
 *   (nor on the service API) and stops working at `exp`.
 * - The MAC key is derived from a server key (generated once, kept like the webhook secret: the
 *   data dir embedded, the shared blob dir when scaled, so every process verifies every cookie)
 *   AND from the token the person signed in with. Removing a token from OCRFLOW_TOKENS therefore
 *   ends every session opened with it, without a session table: verification tries the key of each
 *   configured token, all of them every time (constant time, like the token comparison). The key
 *   that verifies a cookie names the token it was opened with, and so the tenant it sees: the
 *   cookie carries its tenant without saying it.
 * - Sign-out before `exp` is recorded by `sid` in SessionRevocations.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { ConfigError, type Config, type TokenGrant } from '@ocrflow/core';
import { readOrCreateSecret } from '../util/secret.file.ts';

export const SESSION_COOKIE = 'ocrflow_session';
export const SESSION_KEY_FILE = 'session-key';

const COOKIE_RE = /^v1\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const KEY_RE = /^[A-Za-z0-9+/]{43}=$/;

export interface SessionClaims {
  sid: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Where the server key lives: beside the webhook secret (see webhook.signing.ts for why). */
export function sessionKeyPath(config: Config): string {
  return path.join(config.storeKind === 'postgres' ? config.blobDirAbs : config.dataDirAbs, SESSION_KEY_FILE);
}

/**
 * The server key: read, or created once (exclusive `wx`, mode 0600) so two processes starting at
 * once on one directory end up with the same key, and sessions survive restarts.
 */
export async function loadSessionKey(config: Config): Promise<Buffer> {
  const file = sessionKeyPath(config);
  const { value } = await readOrCreateSecret(file, () => randomBytes(32).toString('base64'));
  if (!KEY_RE.test(value)) throw new ConfigError(`${file} does not hold a session key; delete it (a new one is generated, which signs everyone out)`);
  return Buffer.from(value, 'base64');
}

const tokenKey = (serverKey: Buffer, token: string) =>
  createHmac('sha256', serverKey).update('ocrflow.session.v1\n').update(createHash('sha256').update(token, 'utf8').digest()).digest();

export class SessionSealer {
  private readonly keys: Buffer[];

  constructor(
    private readonly serverKey: Buffer,
    private readonly grants: readonly TokenGrant[],
  ) {
    this.keys = grants.map((g) => tokenKey(serverKey, g.token));
  }

  /** A cookie value for someone who presented the token of `grant` (already checked). */
  seal(grant: TokenGrant, now: number, ttlMs: number): { value: string; claims: SessionClaims } {
    const sid = randomBytes(16).toString('base64url');
    const exp = Math.floor((now + ttlMs) / 1000);
    const body = `v1.${sid}.${exp}`;
    const mac = createHmac('sha256', tokenKey(this.serverKey, grant.token)).update(body).digest('base64url');
    return { value: `${body}.${mac}`, claims: { sid, expiresAt: exp * 1000 } };
  }

  /** The claims of an authentic cookie (expired or not) and the grant of its token, or null for anything forged, altered or made with a token no longer configured. */
  open(value: string): { claims: SessionClaims; grant: TokenGrant } | null {
    const m = COOKIE_RE.exec(value);
    if (!m) return null;
    const body = `v1.${m[1]}.${m[2]}`;
    const presented = Buffer.from(m[3], 'base64url');
    if (presented.length !== 32) return null;
    let hit: TokenGrant | null = null;
    for (let i = 0; i < this.keys.length; i++)
      if (timingSafeEqual(createHmac('sha256', this.keys[i]).update(body).digest(), presented) && hit === null) hit = this.grants[i];
    return hit ? { claims: { sid: m[1], expiresAt: Number(m[2]) * 1000 }, grant: hit } : null;
  }
}

/** The value of one cookie in a `Cookie` header (RFC 6265 §5.4: `name=value` pairs split by `;`). */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    return part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return null;
}

/**
 * `Set-Cookie` for the session: HttpOnly (scripts in the page never see it), SameSite=Strict (no
 * other site's page can make the browser send it; see auth.guard.ts for the CSRF rule), Path=/,
 * Secure when the request came over https. `value: null` clears it.
 */
export function sessionSetCookie(value: string | null, opts: { maxAgeS: number; secure: boolean }): string {
  const parts = [
    `${SESSION_COOKIE}=${value ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${value === null ? 0 : Math.max(0, Math.floor(opts.maxAgeS))}`,
  ];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
