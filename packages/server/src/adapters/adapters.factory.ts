/**
 * Chooses the adapters from the configuration (docling-serve's orchestrator_factory habit):
 * `OCRFLOW_DATABASE_URL` → PostgreSQL store, `OCRFLOW_REDIS_URL` → BullMQ queue + Redis event
 * fan-out (job events and workbench task changes), otherwise the embedded SQLite + in-process
 * queue and bus. `loadConfig` already refused the combinations that cannot work (Redis without
 * PostgreSQL: several processes cannot share one SQLite file).
 *
 * This is the one place adapters are built: the stores that share the job store's database
 * (webhook deliveries, workbench tasks, session revocations) are made here from it, so services
 * receive ports and never need to know, or downcast to, what is behind them.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { dataModes, type Config } from '@ocrflow/core';
import type { BatchStore } from '../ports/batch-store.port.ts';
import type { BlobStore } from '../ports/blob-store.port.ts';
import type { DeliveryStore } from '../ports/delivery-store.port.ts';
import type { EventBus } from '../ports/event-bus.port.ts';
import type { JobQueue } from '../ports/job-queue.port.ts';
import type { JobStore } from '../ports/job-store.port.ts';
import type { JobEvent } from '../ports/job.types.ts';
import type { SessionRevocations } from '../ports/session-store.port.ts';
import type { TaskStore } from '../ports/task-store.port.ts';
import type { TaskChange, TaskEventBus } from '../ports/task-bus.port.ts';
import { priorityOf } from '../ports/job.priority.ts';
import { FsBlobStore } from './fs.blobs.ts';
import { LocalQueue } from './local.queue.ts';
import { MemoryEventBus } from './memory.bus.ts';
import { MemoryTaskBus } from './memory.task-bus.ts';
import { BullmqQueue } from './redis/bullmq.queue.ts';
import { RedisEventBus, RedisFanout, RedisTaskBus } from './redis/redis.bus.ts';
import { RedisConnections } from './redis/redis.connection.ts';
import { openPostgresStore } from './sql/postgres.database.ts';
import { openSqliteStore } from './sql/sqlite.database.ts';
import { SqlBatchStore } from './sql/sql.batches.ts';
import { SqlDeliveryStore } from './sql/sql.deliveries.ts';
import { SqlSessionRevocations } from './sql/sql.sessions.ts';
import type { SqlJobStore } from './sql/sql.store.ts';
import { SqlTaskStore } from './sql/sql.tasks.ts';

export interface Adapters {
  store: JobStore;
  /** The webhook outbox, on the job store's database (its rows join the job's terminal transaction). */
  deliveries: DeliveryStore;
  /** Workbench tasks and their workbook versions, on the job store's database. */
  tasks: TaskStore;
  /** Workbench sign-outs, on the job store's database. */
  sessions: SessionRevocations;
  /** Batches of documents, on the job store's database (their ends join the documents' terminal transactions). */
  batches: BatchStore;
  queue: JobQueue;
  bus: EventBus;
  /** Workbench task changes: in-process, or across processes over Redis. */
  taskBus: TaskEventBus;
  blobs: BlobStore;
  /** Connections the queue and buses share (Redis), closed after them. */
  closeConnections?: () => Promise<void>;
}

export interface QueueAdapters {
  queue: JobQueue;
  bus: EventBus;
  taskBus: TaskEventBus;
  closeConnections?: () => Promise<void>;
}

export const STORE_FACTORIES: Record<Config['storeKind'], (c: Config, log: Logger) => Promise<SqlJobStore>> = {
  sqlite: async (c) => openSqliteStore(path.join(c.dataDirAbs, 'ocrflow.sqlite'), dataModes(c)),
  postgres: async (c, log) =>
    openPostgresStore({
      url: c.databaseUrl,
      schema: c.databaseSchema,
      poolMax: c.databasePoolMax,
      applicationName: `ocrflow-${c.role}`,
      onIdleError: (err) => log.warn({ err }, 'an idle PostgreSQL connection failed; it will be replaced'),
    }),
};

/** A job's own priority when the queue is not told (re-queued, retried and recovered jobs). */
const storedPriority = (store: JobStore) => async (id: string) => {
  const job = await store.getJob(id);
  return job ? priorityOf(job) : 0;
};

export const QUEUE_FACTORIES: Record<Config['queueKind'], (c: Config, log: Logger, store: JobStore) => Promise<QueueAdapters>> = {
  local: async (_c, log, store) => ({
    queue: new LocalQueue(storedPriority(store)),
    bus: new MemoryEventBus((e) => log.error({ err: e }, 'event listener failed')),
    taskBus: new MemoryTaskBus((e) => log.error({ err: e }, 'task listener failed')),
  }),
  bullmq: async (c, log, store) => {
    // Several processes must share these; the defaults only work when they share one data dir.
    if (!c.blobDir) log.warn(`OCRFLOW_BLOB_DIR is not set: uploads and results go to ${c.blobDirAbs}, which every API and worker process must share`);
    if (!c.webhookSecret)
      log.warn(
        'OCRFLOW_WEBHOOK_SECRET is not set: the generated secret is kept in the blob dir (OCRFLOW_BLOB_DIR), which every process must share; set OCRFLOW_WEBHOOK_SECRET to choose one',
      );
    const conns = new RedisConnections(c.redisUrl, c.redisPrefix, log, `ocrflow-${c.role}-${process.pid}`);
    try {
      const commands = conns.open('commands');
      const subscriber = conns.open('subscriber');
      // Both ready before SUBSCRIBE: ioredis's ready check (INFO) fails on a connection already in subscriber mode.
      await Promise.all([conns.ready(commands), conns.ready(subscriber)]);
      const jobs = new RedisFanout<JobEvent>(commands, subscriber, `${c.redisPrefix}:events:jobs`, (e) => e.jobId, log);
      const tasks = new RedisFanout<TaskChange>(commands, subscriber, `${c.redisPrefix}:events:tasks`, (t) => t.taskId, log);
      await jobs.start();
      await tasks.start();
      const queue = new BullmqQueue({
        connections: conns,
        commands,
        store,
        log,
        concurrency: c.workers,
        lockMs: c.leaseMs,
        attempts: c.jobMaxAttempts,
        backoffMs: c.retryBackoffMs,
      });
      return { queue, bus: new RedisEventBus(jobs), taskBus: new RedisTaskBus(tasks), closeConnections: () => conns.close() };
    } catch (e) {
      await conns.close();
      throw e;
    }
  },
};

export async function createAdapters(config: Config, log: Logger): Promise<Adapters> {
  const blobs = new FsBlobStore(config.blobDirAbs, dataModes(config));
  const store = await STORE_FACTORIES[config.storeKind](config, log);
  try {
    const q = await QUEUE_FACTORIES[config.queueKind](config, log, store);
    return {
      store,
      deliveries: new SqlDeliveryStore(store.db, store.kind),
      tasks: new SqlTaskStore(store.db),
      sessions: new SqlSessionRevocations(store.db),
      batches: new SqlBatchStore(store.db, store.kind),
      blobs,
      ...q,
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** Close in dependency order: the queue and buses, then their connections, then the store. */
export async function closeAdapters(a: Adapters, log: Logger): Promise<void> {
  const step = async (what: string, f: () => Promise<void>) => f().catch((err) => log.error({ err }, `closing ${what} failed`));
  await step('the queue', () => a.queue.close());
  await step('the event bus', () => a.bus.close());
  await step('the task bus', () => a.taskBus.close());
  if (a.closeConnections) await step('Redis', a.closeConnections);
  await a.store.close();
}
