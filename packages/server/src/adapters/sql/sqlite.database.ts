/** The SQLite flavour of the SQL store: one file in the data dir, WAL, synchronous=FULL. */
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './sql.schema.ts';
import { SqlJobStore } from './sql.store.ts';

export function openSqliteStore(file: string): SqlJobStore {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new Sqlite(file);
  // WAL: readers (long-polls) never block the writer. synchronous=FULL: a committed job survives a
  // power cut too, not only kill -9 (the default NORMAL in WAL mode can lose the last commits).
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  return new SqlJobStore(db, 'sqlite');
}
