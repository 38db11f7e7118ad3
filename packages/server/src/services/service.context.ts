/** The ports and settings every service gets. Built once by `service.runtime.ts`. */
import type { Logger } from 'pino';
import type { Config } from '@ocrflow/core';
import type { BatchStore } from '../ports/batch-store.port.ts';
import type { BlobStore } from '../ports/blob-store.port.ts';
import type { DeliveryStore } from '../ports/delivery-store.port.ts';
import type { EventBus } from '../ports/event-bus.port.ts';
import type { JobQueue } from '../ports/job-queue.port.ts';
import type { JobStore } from '../ports/job-store.port.ts';
import type { DocumentPipeline } from '../ports/pipeline.port.ts';
import type { SessionRevocations } from '../ports/session-store.port.ts';
import type { TaskEventBus } from '../ports/task-bus.port.ts';
import type { TaskStore } from '../ports/task-store.port.ts';

/** Running averages the API uses for `Retry-After` (filled by the local workers). */
export class JobStats {
  /** Exponentially weighted mean run time of finished jobs, ms. */
  avgRunMs = 0;
  record(runMs: number): void {
    this.avgRunMs = this.avgRunMs === 0 ? runMs : 0.8 * this.avgRunMs + 0.2 * runMs;
  }
}

export interface ServiceContext {
  readonly config: Config;
  readonly store: JobStore;
  readonly deliveries: DeliveryStore;
  readonly tasks: TaskStore;
  readonly sessions: SessionRevocations;
  readonly batches: BatchStore;
  readonly queue: JobQueue;
  readonly blobs: BlobStore;
  readonly bus: EventBus;
  /** Workbench task changes (in-process, or across processes over Redis). */
  readonly taskBus: TaskEventBus;
  readonly pipeline: DocumentPipeline;
  readonly log: Logger;
  readonly stats: JobStats;
  /** Absolute base URL clients reach this service at (known after listen when port is 0). */
  baseUrl(): string;
  now(): number;
}
