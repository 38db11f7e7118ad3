/**
 * Tenants from the configured tokens (OCRFLOW_TOKENS, OCRFLOW_ADMIN_TOKENS). Every token belongs to
 * one tenant; jobs, tasks and deliveries belong to the tenant whose token created them, and
 * another tenant is told they do not exist.
 *
 * - `name:token` gives the token the tenant `name` (several tokens may share a name: rotation).
 * - A plain `token` is its own tenant, `t-<first 8 hex of sha256(token)>`: stable across restarts,
 *   and it does not reveal the token. Except when it is the only token configured: then it is the
 *   tenant `default`, so a deployment that had one token keeps seeing the work it already has
 *   (the migration that introduced tenants gave every existing row to `default`).
 * - No token at all (an open server): every caller is the tenant `default` and sees everything,
 *   since nothing tells callers apart.
 * - OCRFLOW_ADMIN_TOKENS lists tenant names or tokens of OCRFLOW_TOKENS; those tokens see every
 *   tenant's work (work they create still belongs to their own tenant).
 */
import { createHash } from 'node:crypto';
import { ConfigError } from './config.error.ts';

export const DEFAULT_TENANT = 'default';
export const TENANT_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** One accepted token and what it may see. */
export interface TokenGrant {
  token: string;
  tenant: string;
  admin: boolean;
}

/** Who makes a request: the tenant owning what it creates, and whether it sees every tenant. */
export interface Caller {
  readonly tenant: string;
  readonly admin: boolean;
}

/** The caller on a server without tokens. */
export const OPEN_CALLER: Caller = Object.freeze({ tenant: DEFAULT_TENANT, admin: true });

export const plainTokenTenant = (token: string): string => `t-${createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8)}`;

/** Whether `caller` may see a row owned by `tenant`. */
export const canSee = (caller: Caller, tenant: string): boolean => caller.admin || caller.tenant === tenant;

/** The tenant filter of a list: undefined (every tenant) for an admin. */
export const listScope = (caller: Caller): string | undefined => (caller.admin ? undefined : caller.tenant);

const bad = (setting: string, why: string) => new ConfigError(`${setting}: ${why}`, setting);

/**
 * The grants of the configured tokens, in the order configured. Throws a ConfigError for
 * an entry that is not `token` or `name:token`, a token given to two tenants, or an admin entry
 * that names no configured tenant or token. Messages never include a token.
 */
export function parseTokenGrants(tokens: readonly string[], adminEntries: readonly string[] = []): TokenGrant[] {
  const entries = tokens.map((raw, i) => {
    const colon = raw.indexOf(':');
    if (colon < 0) return { token: raw, name: null as string | null };
    const name = raw.slice(0, colon);
    const token = raw.slice(colon + 1);
    if (!TENANT_NAME_RE.test(name)) throw bad('OCRFLOW_TOKENS', `entry ${i + 1}: a tenant name is 1-64 letters, digits, _ . or - (write name:token)`);
    if (!token || token.includes(':')) throw bad('OCRFLOW_TOKENS', `entry ${i + 1} (${name}): the token after "${name}:" must be non-empty and without ":"`);
    return { token, name };
  });
  const onlyOne = new Set(entries.map((e) => e.token)).size === 1;
  const grants: TokenGrant[] = [];
  const tenantOf = new Map<string, string>();
  for (const e of entries) {
    const tenant = e.name ?? (onlyOne ? DEFAULT_TENANT : plainTokenTenant(e.token));
    const seen = tenantOf.get(e.token);
    if (seen !== undefined && seen !== tenant) throw bad('OCRFLOW_TOKENS', `one token is given to two tenants (${seen} and ${tenant})`);
    if (seen !== undefined) continue;
    tenantOf.set(e.token, tenant);
    grants.push({ token: e.token, tenant, admin: false });
  }
  for (const a of adminEntries) {
    const token = a.includes(':') ? a.slice(a.indexOf(':') + 1) : a;
    const hits = grants.filter((g) => g.tenant === a || g.token === token);
    if (hits.length === 0) throw bad('OCRFLOW_ADMIN_TOKENS', 'an entry names no tenant or token of OCRFLOW_TOKENS');
    for (const g of hits) g.admin = true;
  }
  return grants;
}

/** The grants of a configuration (validated when it was loaded). */
export const tokenGrants = (c: { readonly tokens: readonly string[]; readonly adminTokens: readonly string[] }): TokenGrant[] =>
  parseTokenGrants(c.tokens, c.adminTokens);
