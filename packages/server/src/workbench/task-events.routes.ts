/**
 * `GET /api/v1/tasks/{id}/events`: the task as it changes. With `Accept: text/event-stream`, a
 * server-sent event stream (`event: task`, `data: Task`, the current task first; `event: deleted`
 * ends it; comment heartbeats, each also re-reading the task so a change announced on another
 * process's bus is never lost for long). Otherwise a long-poll: answers at once when the task's
 * `updated_at` is newer than `since`, else waits up to `timeout_ms` for a change.
 */
import type { FastifyPluginAsync } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import type { StreamLimiter } from '../http/stream.limiter.ts';
import { envelope, envelopeErrors, ok } from './envelope.ts';
import type { TaskEventsService } from './task-events.service.ts';
import type { TasksService } from './tasks.service.ts';
import { taskIdParams, taskSchema } from './workbench.schemas.ts';

export const LONGPOLL_MAX_MS = 60_000;

export interface TaskEventsRoutesOptions {
  tasks: TasksService;
  taskEvents: TaskEventsService;
  streams: StreamLimiter;
  /** Aborted when the server starts shutting down. */
  closing: AbortSignal;
  /** A comment line after this long without a change (OCRFLOW_SSE_HEARTBEAT_MS). */
  sseHeartbeatMs: number;
}

export const taskEventsRoutes: FastifyPluginAsync<TaskEventsRoutesOptions> = async (app, { tasks, taskEvents, streams, closing, sseHeartbeatMs }) => {
  app.get(
    '/tasks/:id/events',
    {
      schema: {
        summary: 'Task changes: server-sent events (Accept: text/event-stream) or long-poll',
        description: `Long-poll: returns at once when the task changed after \`since\` (an \`updated_at\` you saw), else waits up to \`timeout_ms\` (at most ${LONGPOLL_MAX_MS}) and returns the task as it is.`,
        tags: ['workbench'],
        params: taskIdParams,
        querystring: {
          type: 'object',
          properties: {
            since: { type: 'string', maxLength: 40, description: 'updated_at (ISO 8601)' },
            timeout_ms: { type: 'integer', minimum: 0, maximum: LONGPOLL_MAX_MS, default: 25000 },
          },
        },
        response: { 200: envelope(taskSchema), ...envelopeErrors },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const q = req.query as { since?: string; timeout_ms: number };
      let since = -1;
      if (q.since !== undefined && q.since !== '') {
        // An updated_at pasted into a URL unencoded: its offset's `+` arrives as a space.
        const text = q.since.replace(/ (\d\d:\d\d)$/, '+$1');
        since = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        if (!Number.isFinite(since)) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'since must be an updated_at time (ISO 8601)', { field: 'since' });
      }
      streams.hold(req, reply);
      const ac = new AbortController();
      const onClose = () => ac.abort();
      req.raw.once('close', onClose);
      closing.addEventListener('abort', onClose, { once: true });
      try {
        if (!/text\/event-stream/i.test(req.headers.accept ?? '')) return ok(await taskEvents.poll(id, since, { timeoutMs: q.timeout_ms, signal: ac.signal }));

        await tasks.require(id); // 404 in the envelope before the stream starts
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        raw.write('retry: 2000\n\n');
        try {
          for await (const item of taskEvents.follow(id, { heartbeatMs: sseHeartbeatMs, signal: ac.signal })) {
            if (item.kind === 'task') raw.write(`id: ${item.updatedAt}\nevent: task\ndata: ${JSON.stringify(item.task)}\n\n`);
            else if (item.kind === 'deleted') raw.write(`event: deleted\ndata: ${JSON.stringify({ id })}\n\n`);
            else raw.write(`: keep-alive ${new Date().toISOString()}\n\n`);
          }
        } catch (e) {
          req.log.error({ err: e }, 'task event stream failed');
        } finally {
          raw.end();
        }
        return reply;
      } finally {
        req.raw.off('close', onClose);
        closing.removeEventListener('abort', onClose);
      }
    },
  );
};
