/** The SQLite flavour of the SQL store: one file in the data dir, WAL, synchronous=FULL. */
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './sql.schema.ts';
import { SqlJobStore } from './sql.store.ts';

export function openSqliteStore(file: string, modes: { file: number; dir: number } = { file: 0o600, dir: 0o700 }): SqlJobStore {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: modes.dir });
  // Created (or narrowed) with the data mode before SQLite opens it: SQLite gives the -wal and
  // -shm files the database file's permissions, so they follow.
  fs.closeSync(fs.openSync(file, 'a', modes.file));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, modes.file);
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
