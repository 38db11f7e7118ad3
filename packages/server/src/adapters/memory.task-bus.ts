/** The in-process TaskEventBus of the embedded shape. */
import type { TaskChange, TaskEventBus, TaskListener } from '../ports/task-bus.port.ts';

export class MemoryTaskBus implements TaskEventBus {
  readonly kind = 'memory' as const;
  private readonly listeners = new Map<string, Set<TaskListener>>();

  constructor(private readonly onListenerError: (e: unknown) => void = () => {}) {}

  async publish(change: TaskChange): Promise<void> {
    for (const key of [change.taskId, '*']) {
      for (const l of [...(this.listeners.get(key) ?? [])]) {
        try {
          l(change);
        } catch (e) {
          // One broken listener must not keep the change from the others.
          this.onListenerError(e);
        }
      }
    }
  }

  subscribe(taskId: string, listener: TaskListener): () => void {
    let set = this.listeners.get(taskId);
    if (!set) this.listeners.set(taskId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(taskId) === set) this.listeners.delete(taskId);
    };
  }

  /** Listeners of one task or of all (tests check that finished streams unsubscribe). */
  listenerCount(taskId?: string): number {
    if (taskId !== undefined) return this.listeners.get(taskId)?.size ?? 0;
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
