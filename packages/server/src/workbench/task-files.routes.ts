/** The files of a task: image, document, text, analysis, tables (read and save) and the Excel download. */
import type { FastifyPluginAsync } from 'fastify';
import { OcrflowError, type Config } from '@ocrflow/core';
import { envelope, envelopeErrors, ok } from './envelope.ts';
import type { TaskFilesService } from './task-files.service.ts';
import { anyObject, sheetSchema, tablesSchema, taskIdParams, versionQuery } from './workbench.schemas.ts';
import { contentDisposition, type WorkbooksService } from './workbooks.service.ts';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Edited sheets may be large (the limits are validateSheets'); the app's default body limit is 1 MB. */
/**
 * The largest sheets body (OCRFLOW_WORKBENCH_MAX_SHEETS_MB). The sheet limits themselves
 * (SHEET_LIMITS) would allow far more text than any real table holds; the body bound is what keeps
 * one save from parsing and holding hundreds of MB.
 */
export const sheetsBodyLimit = (c: Pick<Config, 'workbenchMaxSheetsMb'>): number => Math.floor(c.workbenchMaxSheetsMb * 1024 * 1024);

/** A JSON text already serialised (the stored OCR document) inside the envelope, without parsing it again. */
const rawEnvelope = (json: string) => `{"success":true,"message":"ok","data":${json}}`;

export interface TaskFilesRoutesOptions {
  files: TaskFilesService;
  workbooks: WorkbooksService;
  /** The sheets' body limit. */
  config: Config;
}

export const taskFilesRoutes: FastifyPluginAsync<TaskFilesRoutesOptions> = async (app, { files, workbooks, config }) => {
  app.get(
    '/tasks/:id/image',
    {
      schema: {
        summary: 'The uploaded image (a PDF: its first page as PNG), or page N as the OCR saw it',
        description:
          'Without `page`: the upload as sent. With `page=N` (0-based): that page upright (EXIF and detected rotation applied), `page.width × page.height` pixels of the document, so boxes from `/document` can be drawn over it; 404 before OCR has produced the page.',
        tags: ['workbench'],
        params: taskIdParams,
        querystring: { type: 'object', properties: { page: { type: 'integer', minimum: 0 } } },
        produces: ['image/png', 'image/jpeg', 'image/webp'],
        response: { 200: { description: 'The image', type: 'string', format: 'binary' }, ...envelopeErrors },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const { page } = req.query as { page?: number };
      const f = page === undefined ? await files.image(id) : await files.page(id, page);
      return reply.type(f.mime).header('cache-control', 'private, max-age=3600').send(f.body);
    },
  );

  app.get(
    '/tasks/:id/document',
    {
      schema: {
        summary: 'The OCR document JSON (ocrflow.document/1)',
        description: 'Pages, blocks, lines with boxes, tables with cell boxes. 409 until OCR is done.',
        tags: ['workbench'],
        params: taskIdParams,
        response: { 200: envelope(anyObject), ...envelopeErrors },
      },
    },
    async (req, reply) => reply.type('application/json; charset=utf-8').send(rawEnvelope(await files.documentJson((req.params as { id: string }).id))),
  );

  app.get(
    '/tasks/:id/text',
    {
      schema: {
        summary: 'The recognised text and Markdown',
        tags: ['workbench'],
        params: taskIdParams,
        response: {
          200: envelope({ type: 'object', required: ['text', 'markdown'], properties: { text: { type: 'string' }, markdown: { type: 'string' } } }),
          ...envelopeErrors,
        },
      },
    },
    async (req) => ok(await files.text((req.params as { id: string }).id)),
  );

  app.get(
    '/tasks/:id/analysis',
    {
      schema: {
        summary: 'The analysis (ocrflow.analysis/1)',
        description: '409 before OCR is done; 404 when the OCR service produced no analysis.',
        tags: ['workbench'],
        params: taskIdParams,
        response: { 200: envelope(anyObject), ...envelopeErrors },
      },
    },
    async (req, reply) => reply.type('application/json; charset=utf-8').send(rawEnvelope(await files.analysisJson((req.params as { id: string }).id))),
  );

  app.get(
    '/tasks/:id/tables',
    {
      schema: {
        summary: 'The tables as sheets (latest workbook version, or `version`)',
        description:
          'From `ocr_done` on (409 before). Until the workbook is first generated or saved, version 1 is derived from the OCR result without being stored.',
        tags: ['workbench'],
        params: taskIdParams,
        querystring: versionQuery,
        response: { 200: envelope(tablesSchema), ...envelopeErrors },
      },
    },
    async (req) => ok(await workbooks.tables((req.params as { id: string }).id, (req.query as { version?: number }).version ?? null)),
  );

  app.put(
    '/tasks/:id/tables',
    {
      bodyLimit: sheetsBodyLimit(config),
      schema: {
        summary: 'Save edited sheets as a new workbook version',
        description:
          'Old versions are kept and the OCR result never changes; the task becomes `editable` (a first save at `ocr_done` stores version 1, the OCR sheets, then the edit as version 2). 422 OCRFLOW_ERR_INVALID_SHEETS saying what is wrong, nothing saved; 409 before OCR is done or when `base_version` is no longer the latest (someone saved in between).',
        tags: ['workbench'],
        params: taskIdParams,
        body: {
          type: 'object',
          required: ['sheets'],
          properties: { sheets: { type: 'array', items: sheetSchema }, base_version: { type: 'integer', minimum: 1 } },
        },
        response: { 200: envelope({ type: 'object', required: ['version'], properties: { version: { type: 'integer' } } }), ...envelopeErrors },
      },
      // Sheets are checked by validateSheets, whose messages name the sheet, row and column.
      validatorCompiler:
        ({ schema }) =>
        (data: unknown) => {
          const body = data as { sheets?: unknown; base_version?: unknown } | null;
          if (!body || typeof body !== 'object' || Array.isArray(body))
            return { error: new OcrflowError('OCRFLOW_ERR_INVALID_SHEETS', 'The body must be an object {sheets: [...], base_version?}') };
          if (body.base_version !== undefined && (!Number.isInteger(body.base_version) || (body.base_version as number) < 1))
            return { error: new OcrflowError('OCRFLOW_ERR_VALIDATION', 'base_version must be a whole number ≥ 1', { field: 'base_version' }) };
          void schema;
          return { value: data };
        },
    },
    async (req) => {
      const body = req.body as { sheets?: unknown; base_version?: number };
      const r = await workbooks.save((req.params as { id: string }).id, body.sheets, body.base_version);
      return ok({ version: r.version }, `Saved as version ${r.version}`);
    },
  );

  app.get(
    '/tasks/:id/pdf',
    {
      schema: {
        summary: 'Download the searchable PDF: the upload with the recognised words as an invisible text layer',
        description:
          'Every page as uploaded (a JPEG byte for byte; a PDF page keeps its own text layer if it had one) with the OCR words placed on their boxes, so the text can be selected, copied and searched. Named after the upload. 409 before OCR is done.',
        tags: ['workbench'],
        params: taskIdParams,
        produces: ['application/pdf'],
        response: { 200: { description: 'The PDF', type: 'string', format: 'binary' }, ...envelopeErrors },
      },
    },
    async (req, reply) => {
      const r = await files.searchablePdf((req.params as { id: string }).id);
      return reply.type('application/pdf').header('content-disposition', contentDisposition(r.task.filename, 'pdf')).send(r.body);
    },
  );

  app.get(
    '/tasks/:id/excel',
    {
      schema: {
        summary: 'Download the workbook (.xlsx) of the latest or a given version',
        description:
          'Named after the upload (`报表.jpg` → `报表.xlsx`) with an RFC 5987 Content-Disposition and an ASCII fallback name. At `ocr_done` version 1 is generated first (`→ excel_generated`); 409 before OCR is done.',
        tags: ['workbench'],
        params: taskIdParams,
        querystring: versionQuery,
        produces: [XLSX_MIME],
        response: { 200: { description: 'The workbook', type: 'string', format: 'binary' }, ...envelopeErrors },
      },
    },
    async (req, reply) => {
      const r = await workbooks.excel((req.params as { id: string }).id, (req.query as { version?: number }).version ?? null);
      return reply
        .type(XLSX_MIME)
        .header('content-disposition', contentDisposition(r.task.filename, 'xlsx'))
        .header('x-workbook-version', String(r.version))
        .send(r.body);
    },
  );
};
