/**
 * Tasks of the workbench: accepting an upload (sniffed by content, size-limited, made durable
 * together with its row), reading, listing, deleting, and every status change — each written by
 * the store's conditional update and then announced on the task bus.
 */
import type { Readable } from 'node:stream';
import { canSee, listScope, OcrflowError, type Caller } from '@ocrflow/core';
import type { TempBlob } from '../ports/blob-store.port.ts';
import type { TaskPatch, TaskRecord, TaskStatus, TransitionRequest } from '../ports/task-store.port.ts';
import { newJobId } from '../util/ids.ts';
import { taskKeys, type WorkbenchContext } from './workbench.context.ts';
import { toTaskView, type TaskView } from './task.view.ts';

/** What the workbench takes (by content): png, jpg/jpeg, webp, pdf. */
export const WORKBENCH_MIMES = ['image/png', 'image/jpeg', 'image/webp', 'application/pdf'] as const;
export const UNSUPPORTED_MESSAGE = 'The file type is not supported (expected png, jpg, jpeg, webp or pdf)';

export const newTaskId = (): string => `tsk_${newJobId()}`;

export class TasksService {
  constructor(private readonly ctx: WorkbenchContext) {}

  get maxUploadBytes(): number {
    return Math.floor(this.ctx.config.workbenchMaxUploadMb * 1024 * 1024);
  }

  /** Stream an upload to a temporary blob (413 past `maxUploadBytes`). The caller must pass it to `create` or `discard`. */
  receive(source: Readable): Promise<TempBlob> {
    return this.ctx.blobs.receive(source, { maxBytes: this.maxUploadBytes });
  }

  discard(temp: TempBlob): Promise<void> {
    return this.ctx.blobs.discard(temp);
  }

  /**
   * A received upload becomes a task in `uploaded`: its type is judged by content (a text file
   * renamed .png is refused), then the file is moved into place and the row inserted; if the
   * insert fails the file goes again. Always consumes `temp`. The task belongs to the caller's tenant.
   */
  async create(caller: Caller, temp: TempBlob, filename: string): Promise<TaskRecord> {
    const { blobs, pipeline, config, store } = this.ctx;
    let orphan: string | null = null;
    try {
      if (temp.size === 0) throw new OcrflowError('OCRFLOW_ERR_EMPTY_FILE', 'The uploaded file is empty');
      let info;
      try {
        info = await pipeline.inspect(await blobs.readTemp(temp), { maxPixels: config.maxPixels, maxPages: config.maxPages });
      } catch (e) {
        if (e instanceof OcrflowError && e.code === 'OCRFLOW_ERR_UNSUPPORTED_MEDIA')
          throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', UNSUPPORTED_MESSAGE);
        throw e;
      }
      if (!(WORKBENCH_MIMES as readonly string[]).includes(info.mime))
        throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', `${UNSUPPORTED_MESSAGE}; this file is ${info.mime}`, { mime: info.mime });
      const id = newTaskId();
      const sourceKey = taskKeys.source(id);
      orphan = taskKeys.prefix(id);
      await blobs.commit(temp, sourceKey);
      const task = await store.insertTask(
        {
          id,
          tenant: caller.tenant,
          filename,
          mime: info.mime,
          sizeBytes: temp.size,
          sha256: temp.sha256,
          sourceKey,
          pageCount: info.pageCount,
          now: this.ctx.now(),
        },
        ['created', 'uploaded'],
      );
      orphan = null;
      await this.announce(task);
      return task;
    } finally {
      if (orphan)
        await blobs.delete(orphan).catch((err) => this.ctx.log.warn({ err, key: orphan }, 'removing the files of a task that was not created failed'));
      await blobs.discard(temp).catch((err) => this.ctx.log.warn({ err }, "removing an upload's temporary file failed"));
    }
  }

  /** The task, whoever owns it: for work already checked against its caller (or done for nobody). */
  async require(id: string): Promise<TaskRecord> {
    const t = await this.ctx.store.getTask(id);
    if (!t) throw taskNotFound(id);
    return t;
  }

  /** The task if `caller` may see it; another tenant's task is "not found", like one that does not exist. */
  async requireFor(caller: Caller, id: string): Promise<TaskRecord> {
    const t = await this.ctx.store.getTask(id);
    if (!t || !canSee(caller, t.tenant)) throw taskNotFound(id);
    return t;
  }

  get(id: string): Promise<TaskRecord | null> {
    return this.ctx.store.getTask(id);
  }

  async view(t: TaskRecord): Promise<TaskView> {
    const tr = await this.ctx.store.listTransitions([t.id]);
    return toTaskView(t, tr.get(t.id) ?? []);
  }

  async list(caller: Caller, page: number, pageSize: number): Promise<{ items: TaskView[]; total: number; page: number; page_size: number }> {
    const { items, total } = await this.ctx.store.listTasks({ tenant: listScope(caller), offset: (page - 1) * pageSize, limit: pageSize });
    const tr = await this.ctx.store.listTransitions(items.map((t) => t.id));
    return { items: items.map((t) => toTaskView(t, tr.get(t.id) ?? [])), total, page, page_size: pageSize };
  }

  /** The conditional status change, announced when it happened; null when it did not (a no-op). */
  async move(id: string, req: Omit<TransitionRequest, 'now'>): Promise<TaskRecord | null> {
    const t = await this.ctx.store.transition(id, { ...req, now: this.ctx.now() });
    if (t) {
      this.ctx.log.debug({ task: id, status: t.status }, 'task moved');
      await this.announce(t);
    }
    return t;
  }

  async patch(id: string, whileStatus: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | null> {
    const t = await this.ctx.store.patch(id, whileStatus, patch, this.ctx.now());
    if (t) await this.announce(t);
    return t;
  }

  /** Remove the row (transitions and versions with it), then every file of the task. */
  async remove(id: string): Promise<TaskRecord> {
    const t = await this.ctx.store.deleteTask(id);
    if (!t) throw taskNotFound(id);
    await this.ctx.blobs.delete(taskKeys.prefix(id));
    await this.ctx.bus.publish({ taskId: id, status: null, updatedAt: this.ctx.now() });
    return t;
  }

  async announce(t: TaskRecord): Promise<void> {
    await this.ctx.bus.publish({ taskId: t.id, status: t.status, updatedAt: t.updatedAt });
  }
}

const taskNotFound = (id: string) => new OcrflowError('OCRFLOW_ERR_TASK_NOT_FOUND', `No task with id ${id}`, { id });
