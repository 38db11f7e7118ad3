/** `/v1/jobs`: submit, get, list, cancel, retry. Validation and mapping only; the work is in the services. */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest, FastifySchema } from 'fastify';
import { OcrflowError, type Config } from '@ocrflow/core';
import { callerOf } from '../http/caller.ts';
import type { TempBlob } from '../ports/blob-store.port.ts';
import type { JobsService } from '../services/jobs.service.ts';
import type { SubmissionService } from '../services/submission.service.ts';
import { cleanFilename, parseSubmitFields, type SubmitFields } from '../services/submit.input.ts';
import { errorResponses, jobIdParams, jsonSubmitBody, multipartSubmitBody } from './jobs.schemas.ts';

const jobRef = { $ref: 'Job#' };

export interface JobsRoutesOptions {
  jobs: JobsService;
  submissions: SubmissionService;
  /** The submit fields' limits and defaults. */
  config: Config;
}

export const jobsRoutes: FastifyPluginAsync<JobsRoutesOptions> = async (app, { jobs, submissions, config }) => {
  app.post(
    '/jobs',
    {
      schema: {
        summary: 'Submit a document',
        description:
          'multipart/form-data with a `file` (or application/json with `file_path` under OCRFLOW_INPUT_DIRS). 202 with the new job; 200 with the existing job when `task_id` was used before (by the same tenant) with the same content; 409 when with different content; 413 over OCRFLOW_MAX_UPLOAD_MB; 429 with Retry-After when the queue is full.',
        tags: ['jobs'],
        consumes: ['multipart/form-data', 'application/json'],
        // Validated per content type: JSON here; multipart is streamed (never buffered into
        // req.body) and its fields are checked by parseSubmitFields. `multipartBody` only feeds
        // the OpenAPI document (see the swagger transform in http/app.ts).
        body: { content: { 'application/json': { schema: jsonSubmitBody } } },
        multipartBody: multipartSubmitBody,
        response: { 200: jobRef, 202: jobRef, ...errorResponses },
      } as FastifySchema,
    },
    async (req, reply) => {
      if (!req.isMultipart() && !/^application\/(.+\+)?json\b/i.test(req.headers['content-type'] ?? ''))
        throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'Send multipart/form-data with a "file", or application/json with a "file_path"');
      await submissions.assertCapacity();
      const t0 = performance.now();
      const held: { temp: TempBlob | null } = { temp: null };
      try {
        let filename: string | null;
        let fields: SubmitFields;
        if (req.isMultipart()) {
          ({ filename, fields } = await receiveMultipart(req, (s) => submissions.receive(s), held));
        } else {
          const body = req.body as { file_path?: string } & SubmitFields;
          fields = body;
          parseSubmitFields(fields, config); // refuse bad fields before reading any file
          const r = await submissions.receivePath(String(body.file_path));
          held.temp = r.temp;
          filename = r.filename;
        }
        const input = parseSubmitFields(fields, config);
        const temp = held.temp as TempBlob;
        held.temp = null; // submit() owns it now
        const r = await submissions.submit(callerOf(req), temp, input, { filename, receiveMs: performance.now() - t0 });
        return reply.code(r.created ? 202 : 200).send(await jobs.view(r.job));
      } finally {
        if (held.temp) await submissions.discard(held.temp);
      }
    },
  );

  app.get(
    '/jobs',
    {
      schema: {
        summary: 'List jobs, newest first',
        description: "The caller's tenant's jobs (an admin token: every tenant's).",
        tags: ['jobs'],
        querystring: {
          type: 'object',
          properties: {
            task_id: { type: 'string', maxLength: 255 },
            status: { type: 'string', description: 'One status or several, comma-separated' },
            cursor: { type: 'string', maxLength: 200, description: '`next_cursor` of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        },
        response: {
          200: { type: 'object', properties: { jobs: { type: 'array', items: jobRef }, next_cursor: { anyOf: [{ type: 'string' }, { type: 'null' }] } } },
          ...errorResponses,
        },
      },
    },
    async (req) => jobs.list(callerOf(req), req.query as { task_id?: string; status?: string; cursor?: string; limit?: number }),
  );

  app.get('/jobs/:id', { schema: { summary: 'Get a job', tags: ['jobs'], params: jobIdParams, response: { 200: jobRef, ...errorResponses } } }, async (req) =>
    jobs.get(callerOf(req), (req.params as { id: string }).id),
  );

  app.delete(
    '/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job',
        description:
          'queued or running → canceled (a running job stops at its next page boundary). Canceling a canceled job is a no-op (200); a finished or failed job gives 409.',
        tags: ['jobs'],
        params: jobIdParams,
        response: { 200: jobRef, ...errorResponses },
      },
    },
    async (req) => (await jobs.cancel(callerOf(req), (req.params as { id: string }).id)).job,
  );

  app.post(
    '/jobs/:id/retry',
    {
      schema: {
        summary: 'Retry a failed or canceled job',
        description: 'Queues the job again; it resumes after its last finished page. Other states give 409.',
        tags: ['jobs'],
        params: jobIdParams,
        response: { 202: jobRef, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(202).send(await jobs.retry(callerOf(req), (req.params as { id: string }).id)),
  );
};

/**
 * Read the parts in order: the file is streamed to a temporary blob (kept in `held` so the caller
 * discards it on any error), fields may come before or after it.
 */
export async function receiveMultipart(req: FastifyRequest, receive: (s: Readable) => Promise<TempBlob>, held: { temp: TempBlob | null }) {
  let filename: string | null = null;
  const fields: SubmitFields = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || held.temp) {
        part.file.resume();
        throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'Send exactly one file, in the field "file"', { field: part.fieldname });
      }
      filename = cleanFilename(part.filename);
      held.temp = await receive(part.file);
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  if (!held.temp) throw new OcrflowError('OCRFLOW_ERR_MISSING_FILE', 'No file was uploaded: send it in the multipart field "file"');
  return { filename, fields };
}
