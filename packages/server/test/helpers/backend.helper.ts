/**
 * The backend under test. Empty environment: embedded SQLite + in-process queue. With
 * OCRFLOW_TEST_DATABASE_URL / OCRFLOW_TEST_REDIS_URL (the second pass of `scripts/test.mjs`):
 * PostgreSQL and BullMQ + Redis.
 *
 * Isolation: a data directory stands for one deployment, as in the embedded shape. Each gets its
 * own PostgreSQL schema and Redis key prefix (`ocrflow_test_<unix seconds>_<random>`), passed to
 * every server started on it, in-process or as a child (`OCRFLOW_DATABASE_SCHEMA`,
 * `OCRFLOW_REDIS_PREFIX`): a server restarted on the same data dir finds its jobs, two servers on
 * two data dirs are two separate services (not a cluster sharing a queue), and test files running
 * in parallel or again never see each other's rows, queue or events. Everything a test process
 * named is removed when it ends; leftovers of a killed run are swept by the runner
 * (`sweepStaleTestBackends`, names older than an hour).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

const DB_URL = process.env.OCRFLOW_TEST_DATABASE_URL ?? '';
const REDIS_URL = process.env.OCRFLOW_TEST_REDIS_URL ?? '';
const STARTED = Math.floor(Date.now() / 1000);
const PROCESS_TAG = randomBytes(3).toString('hex');
/** Every name this process handed out (removed at exit). */
const NAMES = new Map<string, string>();

/** The schema / key prefix name of one deployment (a data dir, or any key a test chooses). */
export function backendName(key: string): string {
  let name = NAMES.get(key);
  if (!name) {
    name = `ocrflow_test_${STARTED}_${PROCESS_TAG}${createHash('sha1').update(key).digest('hex').slice(0, 8)}`;
    NAMES.set(key, name);
  }
  return name;
}

/** True in the PostgreSQL + Redis pass. */
export const scaledBackend = (): boolean => Boolean(DB_URL && REDIS_URL);

/**
 * Settings that select the backend under test for the deployment `key` (the data dir), merged
 * into every test server's environment. Empty in the embedded pass.
 */
export function backendEnv(key = ''): Record<string, string> {
  const env: Record<string, string> = {};
  if (DB_URL) Object.assign(env, { OCRFLOW_DATABASE_URL: DB_URL, OCRFLOW_DATABASE_SCHEMA: backendName(key), OCRFLOW_DATABASE_POOL_MAX: '5' });
  if (REDIS_URL) Object.assign(env, { OCRFLOW_REDIS_URL: REDIS_URL, OCRFLOW_REDIS_PREFIX: backendName(key) });
  return env;
}

/** Drop the schemas and delete the Redis keys of every deployment this process named. */
export async function dropTestBackend(): Promise<void> {
  const names = [...NAMES.values()];
  if (!names.length) return;
  if (DB_URL) {
    const c = new pg.Client({ connectionString: DB_URL });
    await c.connect();
    try {
      for (const n of names) await c.query(`DROP SCHEMA IF EXISTS "${n}" CASCADE`);
    } finally {
      await c.end();
    }
  }
  if (REDIS_URL) for (const n of names) await deleteKeys(REDIS_URL, `${n}:*`);
}

async function deleteKeys(url: string, pattern: string): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  let n = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return n;
}

/**
 * Remove schemas and key prefixes of test runs that ended more than `olderThanS` ago without
 * cleaning up (a killed test process). Names carry their creation time. Called by scripts/test.mjs.
 * @public
 */
export async function sweepStaleTestBackends(dbUrl: string, redisUrl: string, olderThanS = 3600): Promise<{ schemas: number; keys: number }> {
  const cutoff = Math.floor(Date.now() / 1000) - olderThanS;
  const stale = (name: string) => {
    const m = /^ocrflow_test_(\d+)_[0-9a-f]+$/.exec(name);
    return m !== null && Number(m[1]) < cutoff;
  };
  let schemas = 0;
  let keys = 0;
  if (dbUrl) {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ocrflow\\_test\\_%'`);
      for (const { nspname } of rows.filter((r) => stale(r.nspname))) {
        await c.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
        schemas++;
      }
    } finally {
      await c.end();
    }
  }
  if (redisUrl) {
    const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const prefixes = new Set<string>();
    try {
      let cursor = '0';
      do {
        const [next, found] = await r.scan(cursor, 'MATCH', 'ocrflow_test_*', 'COUNT', 1000);
        cursor = next;
        for (const k of found) {
          const p = k.split(':')[0];
          if (stale(p)) prefixes.add(p);
        }
      } while (cursor !== '0');
    } finally {
      r.disconnect();
    }
    for (const p of prefixes) keys += await deleteKeys(redisUrl, `${p}:*`);
  }
  return { schemas, keys };
}

// After every `after` hook of the file (they close its servers), before the process exits.
if (DB_URL || REDIS_URL) {
  let done = false;
  process.on('beforeExit', () => {
    if (done) return;
    done = true;
    dropTestBackend().catch((e) => process.stderr.write(`test backend cleanup failed: ${(e as Error).message}\n`));
  });
}
