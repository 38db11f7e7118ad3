/** `/v1/batches`: submit many documents as one, read, list documents, cancel, collect the results zip. Validation and mapping only. */
import type { FastifyPluginAsync, FastifyRequest, FastifySchema } from 'fastify';
import { OcrflowError, type Config } from '@ocrflow/core';
import { callerOf } from '../http/caller.ts';
import type { SubmissionService } from '../services/submission.service.ts';
import { MAX_BATCH_DOCUMENTS, parseBatchFields } from '../services/batch.input.ts';
import type { BatchResults } from '../services/batch.results.ts';
import type { BatchDocumentInput, BatchesService } from '../services/batches.service.ts';
import { cleanFilename, type SubmitFields } from '../services/submit.input.ts';
import { batchIdParams, createdBatchResponse, jsonBatchBody, multipartBatchBody } from './batches.schemas.ts';
import { errorResponses } from './jobs.schemas.ts';

const batchRef = { $ref: 'Batch#' };

export interface BatchesRoutesOptions {
  batches: BatchesService;
  batchResults: BatchResults;
  submissions: SubmissionService;
  /** The submit fields' limits and defaults. */
  config: Config;
}

export const batchesRoutes: FastifyPluginAsync<BatchesRoutesOptions> = async (app, { batches, batchResults, submissions, config }) => {
  app.post(
    '/batches',
    {
      schema: {
        summary: 'Submit a batch of documents',
        description: `multipart/form-data with the documents as parts named \`file\` (or application/json with \`file_paths\` under OCRFLOW_INPUT_DIRS), at most ${MAX_BATCH_DOCUMENTS}. Every document is checked before any is written: one bad document refuses the batch (its position in \`details\`). 202 with the batch and its documents' job ids; 200 with the existing batch when \`batch_id\` was used before with the same documents and options; 409 when with different ones. A POST cut short may be sent again with the same \`batch_id\`: it completes the batch without writing any document twice.`,
        tags: ['batches'],
        consumes: ['multipart/form-data', 'application/json'],
        body: { content: { 'application/json': { schema: jsonBatchBody } } },
        multipartBody: multipartBatchBody,
        response: { 200: createdBatchResponse, 202: createdBatchResponse, ...errorResponses },
      } as FastifySchema,
    },
    async (req, reply) => {
      if (!req.isMultipart() && !/^application\/(.+\+)?json\b/i.test(req.headers['content-type'] ?? ''))
        throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'Send multipart/form-data with "file" parts, or application/json with "file_paths"');
      await submissions.assertCapacity();
      const docs: BatchDocumentInput[] = [];
      let handed = false;
      try {
        let fields: SubmitFields;
        if (req.isMultipart()) fields = await receiveParts(req, submissions, docs);
        else {
          const body = req.body as { file_paths: string[] } & SubmitFields;
          fields = body;
          parseBatchFields(fields, body.file_paths.length, config); // refuse bad fields before reading any file
          for (const p of body.file_paths) {
            const r = await submissions.receivePath(String(p));
            docs.push({ temp: r.temp, filename: r.filename });
          }
        }
        const input = parseBatchFields(fields, docs.length, config);
        handed = true; // create() owns the temps now
        const r = await batches.create(callerOf(req), docs, input);
        return reply.code(r.created ? 202 : 200).send({ batch: r.batch, documents: r.documents });
      } finally {
        if (!handed) for (const d of docs) await submissions.discard(d.temp);
      }
    },
  );

  app.get(
    '/batches/:id',
    {
      schema: {
        summary: 'Get a batch: documents by status, pages done of total',
        tags: ['batches'],
        params: batchIdParams,
        response: { 200: batchRef, ...errorResponses },
      },
    },
    async (req) => batches.get(callerOf(req), (req.params as { id: string }).id),
  );

  app.get(
    '/batches/:id/documents',
    {
      schema: {
        summary: "A batch's documents in submission order (job id, task_id)",
        tags: ['batches'],
        params: batchIdParams,
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'integer', minimum: 0, default: 0, description: '`next_after` of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { documents: { type: 'array', items: { $ref: 'BatchDocument#' } }, next_after: { anyOf: [{ type: 'integer' }, { type: 'null' }] } },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const q = req.query as { after: number; limit: number };
      return batches.documents(callerOf(req), (req.params as { id: string }).id, q);
    },
  );

  app.delete(
    '/batches/:id',
    {
      schema: {
        summary: 'Cancel a batch',
        description: 'Every document still queued → canceled; documents already running run to their end. Canceling an ended batch changes nothing (200).',
        tags: ['batches'],
        params: batchIdParams,
        response: {
          200: { type: 'object', properties: { batch: batchRef, canceled: { type: 'integer', description: 'Documents this call canceled' } } },
          ...errorResponses,
        },
      },
    },
    async (req) => batches.cancel(callerOf(req), (req.params as { id: string }).id),
  );

  app.get(
    '/batches/:id/results',
    {
      schema: {
        summary: "A zip of every finished document's result, and manifest.json",
        description:
          'Entries `<position>_<file name>.<ext>` for finished documents, streamed as they are read; `manifest.json` lists every document with its status, error and entry. Available at any time (documents not finished yet are in the manifest only).',
        tags: ['batches'],
        params: batchIdParams,
        querystring: { type: 'object', properties: { format: { type: 'string', default: 'json', description: 'json, markdown, text, html, xlsx or pdf' } } },
        produces: ['application/zip'],
        response: { 200: { type: 'string', format: 'binary' }, ...errorResponses },
      } as FastifySchema,
    },
    async (req, reply) => {
      const caller = callerOf(req);
      const batch = await batches.requireFor(caller, (req.params as { id: string }).id);
      const { stream, filename } = batchResults.zip(caller, batch, (req.query as { format: string }).format);
      reply.type('application/zip').header('content-disposition', `attachment; filename="${filename}"`);
      return reply.send(stream);
    },
  );
};

/** Every `file` part to a temporary blob (pushed to `docs` at once, so the caller discards them on any error); fields may come anywhere. */
async function receiveParts(req: FastifyRequest, submissions: SubmissionService, docs: BatchDocumentInput[]): Promise<SubmitFields> {
  const fields: SubmitFields = {};
  for await (const part of req.parts({ limits: { files: MAX_BATCH_DOCUMENTS + 1, parts: MAX_BATCH_DOCUMENTS + 40 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || docs.length >= MAX_BATCH_DOCUMENTS) {
        part.file.resume();
        throw new OcrflowError(
          'OCRFLOW_ERR_VALIDATION',
          docs.length >= MAX_BATCH_DOCUMENTS ? `A batch holds at most ${MAX_BATCH_DOCUMENTS} documents` : 'Send the documents in parts named "file"',
          { field: part.fieldname },
        );
      }
      const filename = cleanFilename(part.filename);
      docs.push({ temp: await submissions.receive(part.file), filename });
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  return fields;
}
