/**
 * PaddleOCR job-service compatible routes (what clients of a PP-StructureV3 / PaddleOCR-VL service
 * call): upload, long-poll, result JSON / Markdown / images. `GET /health` is the native one (it
 * has `ok`, `queue_len`, `worker_alive`). Same Bearer token as the native API; native errors.
 */
import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import { OcrflowError, type Config } from '@ocrflow/core';
import { callerOf } from '../http/caller.ts';
import type { StreamLimiter } from '../http/stream.limiter.ts';
import type { TempBlob } from '../ports/blob-store.port.ts';
import { type PaddleCompatService, toPaddleEvent } from '../services/compat.paddle.service.ts';
import { type EventsService, LONGPOLL_MAX_MS, MAX_EVENTS_PER_CALL } from '../services/events.service.ts';
import type { ResultsService } from '../services/results.service.ts';
import type { SubmissionService } from '../services/submission.service.ts';
import { parseSubmitFields } from '../services/submit.input.ts';
import { receiveMultipart } from './jobs.routes.ts';
import { errorResponses, jobIdParams, multipartSubmitBody } from './jobs.schemas.ts';

const TAG = 'compat: PaddleOCR service';
const bbox = { type: 'array', items: { type: 'integer' }, minItems: 4, maxItems: 4 };

export const ppResultSchema = {
  type: 'object',
  required: ['job_id', 'final', 'pages'],
  properties: {
    job_id: { type: 'string' },
    final: {
      type: 'object',
      properties: {
        job_id: { type: 'string' },
        status: { type: 'string' },
        total_pages: { type: 'integer' },
        done_pages: { type: 'integer' },
        error_message: { type: 'string' },
        elapsed_seconds: { type: 'number' },
      },
    },
    pages: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          input_path: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          page_index: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
          page_count: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
          width: { type: 'integer' },
          height: { type: 'integer' },
          parsing_res_list: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                block_label: { type: 'string' },
                block_content: { type: 'string', description: 'Text; HTML for tables (rowspan/colspan)' },
                block_bbox: bbox,
                block_id: { type: 'integer' },
                block_order: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
                group_id: { type: 'integer' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export interface PaddleCompatRoutesOptions {
  paddle: PaddleCompatService;
  submissions: SubmissionService;
  events: EventsService;
  results: ResultsService;
  streams: StreamLimiter;
  /** Aborted when the server starts shutting down. */
  closing: AbortSignal;
  /** The submit fields' limits and defaults. */
  config: Config;
}

export const paddleCompatRoutes: FastifyPluginAsync<PaddleCompatRoutesOptions> = async (
  app,
  { paddle: svc, submissions, events, results, streams, closing, config },
) => {
  app.post(
    '/jobs-from-uploading',
    {
      schema: {
        summary: 'PaddleOCR service: upload a document and start a job',
        description:
          'multipart/form-data with `file` (and optionally the native fields). 201 `{"job_id"}`; 200 with the existing job for a repeated `task_id` with the same content.',
        tags: [TAG],
        consumes: ['multipart/form-data'],
        multipartBody: multipartSubmitBody,
        response: {
          200: { type: 'object', properties: { job_id: { type: 'string' }, status: { type: 'string' } } },
          201: { type: 'object', properties: { job_id: { type: 'string' }, status: { type: 'string' } } },
          ...errorResponses,
        },
      } as FastifySchema,
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'Send multipart/form-data with the document in the field "file"');
      await submissions.assertCapacity();
      const t0 = performance.now();
      const held: { temp: TempBlob | null } = { temp: null };
      try {
        const { filename, fields } = await receiveMultipart(req, (s) => submissions.receive(s), held);
        const input = parseSubmitFields(fields, config);
        const temp = held.temp as TempBlob;
        held.temp = null;
        const r = await submissions.submit(callerOf(req), temp, input, { filename, receiveMs: performance.now() - t0 });
        return reply.code(r.created ? 201 : 200).send({ job_id: r.job.id, status: r.job.status });
      } finally {
        if (held.temp) await submissions.discard(held.temp);
      }
    },
  );

  app.get(
    '/longpoll/jobs/:id',
    {
      schema: {
        summary: 'PaddleOCR service: long-poll the events of a job',
        description: `Returns at once when there are events after \`since_seq\`, else waits up to \`timeout_ms\` (at most ${LONGPOLL_MAX_MS} ms). Event types: queued, running, finished (success), failed, canceled; failed/canceled carry \`error_message\`.`,
        tags: [TAG],
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
      const q = req.query as { since_seq: number; timeout_ms: number; max_events: number };
      streams.hold(req, reply);
      const ac = new AbortController();
      const onClose = () => ac.abort();
      req.raw.once('close', onClose);
      closing.addEventListener('abort', onClose, { once: true });
      try {
        const r = await events.poll(callerOf(req), id, { sinceSeq: q.since_seq, timeoutMs: q.timeout_ms, maxEvents: q.max_events, signal: ac.signal });
        return { ...r, events: r.events.map(toPaddleEvent) };
      } finally {
        req.raw.off('close', onClose);
        closing.removeEventListener('abort', onClose);
      }
    },
  );

  app.get(
    '/result/json/jobs/:id',
    {
      schema: {
        summary: 'PaddleOCR service: the PP-Structure result JSON',
        description: 'In every state: `final.status` tells where the job is; `pages` holds the pages done so far. Tables are HTML in `block_content`.',
        tags: [TAG],
        params: jobIdParams,
        response: { 200: ppResultSchema, ...errorResponses },
      },
    },
    async (req) => svc.resultJson(callerOf(req), (req.params as { id: string }).id),
  );

  app.get(
    '/result/markdown/jobs/:id',
    {
      schema: {
        summary: 'PaddleOCR service: the result as Markdown',
        description: '409 until the job is finished.',
        tags: [TAG],
        params: jobIdParams,
        response: { ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await results.read(callerOf(req), (req.params as { id: string }).id, 'markdown', { partial: false });
      return reply.type(r.mime).send(r.body);
    },
  );

  app.get(
    '/result/images/jobs/:id',
    {
      schema: {
        summary: 'PaddleOCR service: page images with the detected blocks drawn, and table crops (zip)',
        description: '`page_0001.jpg`, … and `tables/page_0001_table_01.png`, …; 409 until the job is finished.',
        tags: [TAG],
        params: jobIdParams,
        response: { ...errorResponses },
      },
    },
    async (req, reply) => {
      const { zip, filename } = await svc.imagesZip(callerOf(req), (req.params as { id: string }).id);
      reply.type('application/zip');
      reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
      return reply.send(zip);
    },
  );
};
