/**
 * A worker process that takes one job from the BullMQ queue and then hangs without settling it, so
 * a test can kill -9 it mid-job (`queue.bullmq.pg.test.ts`). Configured by the environment the
 * test passes (OCRFLOW_DATABASE_URL, _SCHEMA, OCRFLOW_REDIS_URL, _PREFIX, OCRFLOW_LEASE_MS).
 */
import { loadConfig } from '@ocrflow/core';
import { pino } from 'pino';
import { QUEUE_FACTORIES, STORE_FACTORIES } from '../../../src/index.ts';

const config = loadConfig();
const log = pino({ level: 'silent' });
const store = await STORE_FACTORIES.postgres(config, log);
const { queue } = await QUEUE_FACTORIES.bullmq(config, log, store);
const id = await queue.next(new AbortController().signal);
process.stdout.write(`took ${id}\n`);
setInterval(() => {}, 60_000);
