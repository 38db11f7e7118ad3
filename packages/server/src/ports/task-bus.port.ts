/**
 * TaskEventBus: wakes whoever follows a workbench task (SSE streams, long-polls) when it changed.
 * The store stays the truth — listeners re-read the task — so a lost message only delays a
 * listener until its next heartbeat or time-out. In-process now (`adapters/memory.task-bus.ts`);
 * the scaled shape fans it out across processes through Redis behind the same interface.
 */
import type { TaskStatus } from './task-store.port.ts';

export interface TaskChange {
  taskId: string;
  /** Null when the task was deleted. */
  status: TaskStatus | null;
  updatedAt: number;
}

export type TaskListener = (change: TaskChange) => void;

export interface TaskEventBus {
  readonly kind: 'memory' | 'redis';
  /** As `EventBus.recheckMs`: how often a waiting listener re-reads the task anyway; undefined = never needed. */
  readonly recheckMs?: number;
  publish(change: TaskChange): Promise<void>;
  /** Changes of one task, or of every task with '*'. */
  subscribe(taskId: string | '*', listener: TaskListener): () => void;
  close(): Promise<void>;
}
