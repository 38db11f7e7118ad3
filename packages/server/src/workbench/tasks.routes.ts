/** Upload, list, read and delete tasks (`/api/v1`). */
import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import type { TempBlob } from '../ports/blob-store.port.ts';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../http/caller.ts';
import { cleanFilename } from '../services/submit.input.ts';
import { envelope, envelopeErrors, ok } from './envelope.ts';
import type { TaskOcrService } from './task-ocr.service.ts';
import type { TasksService } from './tasks.service.ts';
import { taskIdParams, taskSchema } from './workbench.schemas.ts';

export interface TasksRoutesOptions {
  tasks: TasksService;
  ocr: TaskOcrService;
}

export const tasksRoutes: FastifyPluginAsync<TasksRoutesOptions> = async (app, { tasks, ocr }) => {
  app.post(
    '/upload/image',
    {
      schema: {
        summary: 'Upload an image or PDF: creates a task and starts OCR',
        description:
          'multipart/form-data with the file in `file` (png, jpg, jpeg, webp or pdf, judged by content; at most OCRFLOW_WORKBENCH_MAX_UPLOAD_MB). 201 with the task (`ocr_processing`, or `ocr_failed` with a message when the OCR service could not take it). 415 wrong type, 413 too large, 400 empty or no file: nothing is stored.',
        tags: ['workbench'],
        consumes: ['multipart/form-data'],
        multipartBody: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
        response: { 201: envelope(taskSchema), ...envelopeErrors },
      } as FastifySchema,
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'Send multipart/form-data with the file in the field "file"');
      const held: { temp: TempBlob | null } = { temp: null };
      try {
        const filename = await receiveFile(req, (s) => tasks.receive(s), tasks.maxUploadBytes, held);
        const temp = held.temp as TempBlob;
        held.temp = null; // create() owns it now
        const created = await tasks.create(callerOf(req), temp, filename ?? 'upload');
        const started = await ocr.start(created.id, { orCurrent: true });
        const message = started.status === 'ocr_failed' ? `Uploaded, but OCR could not start: ${started.errorMessage}` : 'Uploaded; OCR started';
        return reply.code(201).send(ok(await tasks.view(started), message));
      } finally {
        if (held.temp) await tasks.discard(held.temp);
      }
    },
  );

  app.get(
    '/tasks',
    {
      schema: {
        summary: 'Tasks, newest first',
        description: "The caller's tenant's tasks (an admin token: every tenant's); a sign-in sees the tenant of the token it was made with.",
        tags: ['workbench'],
        querystring: {
          type: 'object',
          properties: { page: { type: 'integer', minimum: 1, default: 1 }, page_size: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
        response: {
          200: envelope({
            type: 'object',
            required: ['items', 'total', 'page', 'page_size'],
            properties: { items: { type: 'array', items: taskSchema }, total: { type: 'integer' }, page: { type: 'integer' }, page_size: { type: 'integer' } },
          }),
          ...envelopeErrors,
        },
      },
    },
    async (req) => {
      const q = req.query as { page: number; page_size: number };
      return ok(await tasks.list(callerOf(req), q.page, q.page_size));
    },
  );

  app.get(
    '/tasks/:id',
    { schema: { summary: 'One task', tags: ['workbench'], params: taskIdParams, response: { 200: envelope(taskSchema), ...envelopeErrors } } },
    async (req) => ok(await tasks.view(await tasks.require((req.params as { id: string }).id))),
  );

  app.delete(
    '/tasks/:id',
    {
      schema: {
        summary: 'Delete a task with its files and workbook versions',
        description: 'Cancels its OCR job if it is still running.',
        tags: ['workbench'],
        params: taskIdParams,
        response: {
          200: envelope({ type: 'object', required: ['id', 'deleted'], properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } }),
          ...envelopeErrors,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      await ocr.cancel(await tasks.require(id));
      await tasks.remove(id);
      return ok({ id, deleted: true }, 'Task deleted');
    },
  );
};

/**
 * The one file of the form, streamed to a temporary blob. busboy stops reading the part one byte
 * past the workbench's own limit (lower than the service's), so an oversized upload is refused
 * (413, temp file deleted) while the rest of the body is drained, not left hanging.
 */
async function receiveFile(
  req: FastifyRequest,
  receive: (s: Readable) => Promise<TempBlob>,
  maxBytes: number,
  held: { temp: TempBlob | null },
): Promise<string | null> {
  let filename: string | null = null;
  for await (const part of req.parts({ limits: { fileSize: maxBytes + 1, files: 1 } })) {
    if (part.type !== 'file') continue;
    if (part.fieldname !== 'file' || held.temp) {
      part.file.resume();
      throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'Send exactly one file, in the field "file"', { field: part.fieldname });
    }
    filename = cleanFilename(part.filename);
    held.temp = await receive(part.file);
  }
  if (!held.temp) throw new OcrflowError('OCRFLOW_ERR_MISSING_FILE', 'No file was uploaded: send it in the multipart field "file"');
  return filename;
}
