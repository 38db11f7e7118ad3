/**
 * Group commit for SQLite. better-sqlite3 commits on the event loop, and with synchronous=FULL
 * each COMMIT waits for an fsync: one transaction per write caps the whole process at a few
 * hundred writes a second and stalls every request meanwhile. Here the writes that arrive in the
 * same turn of the event loop, or while the previous group is being committed, share one
 * transaction and one fsync. Each runs in a savepoint of its own, so a write that fails (a task_id
 * already taken) rolls back only itself. Every caller's promise settles only after the shared
 * COMMIT has returned: a caller told "done" is exactly as durable as with a transaction of its own,
 * and if the COMMIT fails every caller of the group is told so.
 */
import { sql, type Kysely, type Transaction } from 'kysely';

interface Pending<D> {
  work: (tx: Transaction<D>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit<D> {
  private queue: Pending<D>[] = [];
  private draining = false;

  constructor(
    private readonly db: Kysely<D>,
    /** Most writes in one transaction (bounds how long one commit holds the connection). */
    private readonly maxGroup = 256,
  ) {}

  /** Run `work` in a transaction shared with other writes; resolves once that transaction is committed. */
  run<T>(work: (tx: Transaction<D>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const group = this.queue.splice(0, this.maxGroup);
      let outcomes: Outcome[];
      try {
        outcomes = await this.db.transaction().execute((tx) => runGroup(tx, group));
      } catch (error) {
        for (const p of group) p.reject(error);
        continue;
      }
      group.forEach((p, i) => {
        const o = outcomes[i];
        if (o.ok) p.resolve(o.value);
        else p.reject(o.error);
      });
    }
    this.draining = false;
  }
}

async function runGroup<D>(tx: Transaction<D>, group: Pending<D>[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const p of group) {
    await sql`savepoint group_write`.execute(tx);
    try {
      const value = await p.work(tx);
      await sql`release savepoint group_write`.execute(tx);
      outcomes.push({ ok: true, value });
    } catch (error) {
      await sql`rollback to savepoint group_write`.execute(tx);
      await sql`release savepoint group_write`.execute(tx);
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}
