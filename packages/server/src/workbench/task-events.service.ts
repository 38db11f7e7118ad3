/**
 * Following a task as it changes: a long-poll and a stream for SSE. The task comes from the store;
 * the task bus only wakes us. We subscribe *before* reading, so a change committed between the read
 * and the wait still wakes us (see util/wakeup.ts).
 */
import { OcrflowError } from '@ocrflow/core';
import type { TaskRecord } from '../ports/task-store.port.ts';
import { Wakeup } from '../util/wakeup.ts';
import type { TaskView } from './task.view.ts';
import type { TasksService } from './tasks.service.ts';
import type { WorkbenchContext } from './workbench.context.ts';

export type TaskStreamItem =
  /** The task changed (the first item is the task as it is); `updatedAt` is its stream id. */
  | { kind: 'task'; task: TaskView; updatedAt: number }
  /** The task is gone: the last item. */
  | { kind: 'deleted' }
  | { kind: 'heartbeat' };

export class TaskEventsService {
  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly tasks: TasksService,
  ) {}

  /**
   * The task at once when it changed after `since` (an `updatedAt`, -1 for any), else once it
   * changes, or as it is after `timeoutMs`. 404 when there is no such task, also when it is
   * deleted while we wait.
   */
  async poll(id: string, since: number, q: { timeoutMs: number; signal: AbortSignal }): Promise<TaskView> {
    const wake = new Wakeup();
    const unsubscribe = this.ctx.bus.subscribe(id, () => wake.notify());
    try {
      let task: TaskRecord | null = await this.tasks.require(id);
      const deadline = Date.now() + q.timeoutMs;
      while (task && task.updatedAt <= since && Date.now() < deadline && !q.signal.aborted) {
        // A bus that can drop messages (Redis) bounds the wait by its re-check interval.
        await wake.wait(Math.min(deadline - Date.now(), this.ctx.bus.recheckMs ?? Infinity), q.signal);
        task = await this.tasks.get(id);
      }
      if (!task) throw new OcrflowError('OCRFLOW_ERR_TASK_NOT_FOUND', `The task ${id} was deleted`);
      return await this.tasks.view(task);
    } finally {
      unsubscribe();
    }
  }

  /**
   * The task as it is, then each change; `deleted` (and the end) once it is gone; a heartbeat
   * every `heartbeatMs` without a wake-up. Each heartbeat re-reads the task too, so a change
   * announced on another process's bus is never lost for long.
   */
  async *follow(id: string, opts: { heartbeatMs: number; signal: AbortSignal }): AsyncGenerator<TaskStreamItem> {
    const wake = new Wakeup();
    const unsubscribe = this.ctx.bus.subscribe(id, () => wake.notify());
    try {
      let task = await this.tasks.get(id);
      let sent = -1;
      let beat = Date.now();
      while (!opts.signal.aborted) {
        if (!task) {
          yield { kind: 'deleted' };
          return;
        }
        if (task.updatedAt !== sent) {
          sent = task.updatedAt;
          yield { kind: 'task', task: await this.tasks.view(task), updatedAt: task.updatedAt };
        }
        const woken = await wake.wait(Math.min(opts.heartbeatMs, this.ctx.bus.recheckMs ?? Infinity), opts.signal);
        if (!woken && !opts.signal.aborted && Date.now() - beat >= opts.heartbeatMs) {
          beat = Date.now();
          yield { kind: 'heartbeat' };
        }
        task = await this.tasks.get(id);
      }
    } finally {
      unsubscribe();
    }
  }
}
