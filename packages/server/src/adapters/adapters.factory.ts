/**
 * Chooses the adapters from the configuration (docling-serve's orchestrator_factory habit):
 * `OCRFLOW_DATABASE_URL` → PostgreSQL store, `OCRFLOW_REDIS_URL` → BullMQ queue + Redis event bus,
 * otherwise the embedded SQLite + in-process queue and bus. Issue 8 fills in the scaled entries.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { OcrflowError, type Config } from '@ocrflow/core';
import type { BlobStore } from '../ports/blob-store.port.ts';
import type { EventBus } from '../ports/event-bus.port.ts';
import type { JobQueue } from '../ports/job-queue.port.ts';
import type { JobStore } from '../ports/job-store.port.ts';
import { FsBlobStore } from './fs.blobs.ts';
import { LocalQueue } from './local.queue.ts';
import { MemoryEventBus } from './memory.bus.ts';
import { openSqliteStore } from './sql/sqlite.database.ts';

export interface Adapters {
  store: JobStore;
  queue: JobQueue;
  bus: EventBus;
  blobs: BlobStore;
}

const notYet = (what: string) => async (): Promise<never> => {
  throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `${what} is not available in this build yet`);
};

export const STORE_FACTORIES: Record<Config['storeKind'], (c: Config, log: Logger) => Promise<JobStore>> = {
  sqlite: async (c) => openSqliteStore(path.join(c.dataDirAbs, 'ocrflow.sqlite')),
  postgres: notYet('PostgreSQL (OCRFLOW_DATABASE_URL)'),
};

export const QUEUE_FACTORIES: Record<Config['queueKind'], (c: Config, log: Logger) => Promise<{ queue: JobQueue; bus: EventBus }>> = {
  local: async (_c, log) => ({ queue: new LocalQueue(), bus: new MemoryEventBus((e) => log.error({ err: e }, 'event listener failed')) }),
  bullmq: notYet('Redis/BullMQ (OCRFLOW_REDIS_URL)'),
};

export async function createAdapters(config: Config, log: Logger): Promise<Adapters> {
  const blobs = new FsBlobStore(config.blobDirAbs);
  const store = await STORE_FACTORIES[config.storeKind](config, log);
  try {
    const { queue, bus } = await QUEUE_FACTORIES[config.queueKind](config, log);
    return { store, queue, bus, blobs };
  } catch (e) {
    await store.close();
    throw e;
  }
}
