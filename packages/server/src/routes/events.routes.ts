/**
 * `GET /v1/jobs/{id}/events`: long-poll (`{events, last_seq, done}`), or with
 * `Accept: text/event-stream` the same events as server-sent events (`id:` = seq, so a
 * reconnecting EventSource resumes with `Last-Event-ID`; comment heartbeats; the stream ends after
 * the terminal event).
 */
import type { FastifyPluginAsync } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import { callerOf } from '../http/caller.ts';
import type { StreamLimiter } from '../http/stream.limiter.ts';
import { type EventsService, LONGPOLL_MAX_MS, MAX_EVENTS_PER_CALL } from '../services/events.service.ts';
import type { JobsService } from '../services/jobs.service.ts';
import { errorResponses, jobIdParams } from './jobs.schemas.ts';

interface EventsQuery {
  since_seq: number;
  timeout_ms: number;
  max_events: number;
}

export interface EventsRoutesOptions {
  events: EventsService;
  jobs: JobsService;
  streams: StreamLimiter;
  /** Aborted when the server starts shutting down. */
  closing: AbortSignal;
  /** A comment line after this long without an event (OCRFLOW_SSE_HEARTBEAT_MS). */
  sseHeartbeatMs: number;
}

export const eventsRoutes: FastifyPluginAsync<EventsRoutesOptions> = async (app, { events, jobs, streams, closing, sseHeartbeatMs }) => {
  app.get(
    '/jobs/:id/events',
    {
      schema: {
        summary: 'Job events: long-poll, or server-sent events with Accept: text/event-stream',
        description: `Returns at once when there are events after \`since_seq\`; otherwise waits up to \`timeout_ms\` (at most ${LONGPOLL_MAX_MS} ms). \`done\` is true once the job is finished, failed or canceled and its last event was returned.`,
        tags: ['jobs'],
        params: jobIdParams,
        querystring: {
          type: 'object',
          properties: {
            since_seq: { type: 'integer', minimum: 0, default: 0 },
            timeout_ms: { type: 'integer', minimum: 0, maximum: 600000, default: 25000 },
            max_events: { type: 'integer', minimum: 1, maximum: MAX_EVENTS_PER_CALL, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['events', 'last_seq', 'done'],
            properties: { events: { type: 'array', items: { $ref: 'JobEvent#' } }, last_seq: { type: 'integer' }, done: { type: 'boolean' } },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const q = req.query as EventsQuery;
      streams.hold(req, reply);
      const ac = new AbortController();
      const onClose = () => ac.abort();
      // The client went away, or the server is shutting down: stop waiting.
      req.raw.once('close', onClose);
      closing.addEventListener('abort', onClose, { once: true });
      try {
        if (!/text\/event-stream/i.test(req.headers.accept ?? ''))
          return await events.poll(callerOf(req), id, { sinceSeq: q.since_seq, timeoutMs: q.timeout_ms, maxEvents: q.max_events, signal: ac.signal });

        const lastEventId = req.headers['last-event-id'];
        let since = q.since_seq;
        if (typeof lastEventId === 'string' && lastEventId.trim() !== '') {
          since = Number(lastEventId);
          if (!Number.isInteger(since) || since < 0)
            throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'Last-Event-ID must be an event seq', { field: 'Last-Event-ID' });
        }
        await jobs.requireFor(callerOf(req), id); // 404 as JSON before the stream starts
        reply.hijack();
        const raw = reply.raw;
        // A client that vanished mid-write must end the stream, never surface as an unhandled 'error'.
        raw.on('error', onClose);
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        raw.write(`retry: 2000\n\n`);
        try {
          for await (const item of events.follow(callerOf(req), id, since, { heartbeatMs: sseHeartbeatMs, signal: ac.signal })) {
            if (item.kind === 'heartbeat') raw.write(`: keep-alive ${new Date().toISOString()}\n\n`);
            else if (item.kind === 'events') for (const e of item.events) raw.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
          }
        } catch (e) {
          req.log.error({ err: e }, 'SSE stream failed');
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
