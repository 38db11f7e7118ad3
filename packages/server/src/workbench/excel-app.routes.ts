/**
 * The image-to-Excel app's own routes (`/api/v1`), so its frontend and scripts run unchanged
 * against ocrflow (docs/workbench-api.md, "Replacing the image-to-Excel app's backend"): polling
 * the OCR job, the tables as full cell grids, saving such a grid, generating and downloading the
 * workbook. They are another face of the same services (tasks, OCR, workbook versions) with the
 * same auth, limits, errors and state machine; the upload, task and start routes are ocrflow's own,
 * whose answers carry the app's field names too (`task_id`, `image_path`, …).
 */
import type { FastifyPluginAsync } from 'fastify';
import { type Config, OcrflowError, gridToSheets, sheetsToGrid } from '@ocrflow/core';
import { envelope, envelopeErrors, ok } from './envelope.ts';
import { sheetsBodyLimit, XLSX_MIME } from './task-files.routes.ts';
import type { TaskOcrService } from './task-ocr.service.ts';
import type { TasksService } from './tasks.service.ts';
import { ocrStepSchema, tableDataSchema } from './workbench.schemas.ts';
import { contentDisposition, type WorkbooksService } from './workbooks.service.ts';

const params = { type: 'object', required: ['task_id'], properties: { task_id: { type: 'string', maxLength: 64 } } } as const;
const idOf = (req: { params: unknown }) => (req.params as { task_id: string }).task_id;

const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const invalid = (message: string) => new OcrflowError('OCRFLOW_ERR_INVALID_SHEETS', message);

export interface ExcelAppRoutesOptions {
  tasks: TasksService;
  ocr: TaskOcrService;
  workbooks: WorkbooksService;
  /** The sheets' body limit. */
  config: Config;
}

export const excelAppRoutes: FastifyPluginAsync<ExcelAppRoutesOptions> = async (app, { tasks, ocr, workbooks, config }) => {
  app.post(
    '/ocr/poll/:task_id',
    {
      schema: {
        summary: 'The task after checking its OCR job once',
        description:
          'Answers at once with the current state (ocrflow learns that OCR ended by webhook and long-poll by itself); when the job has ended and the task has not moved yet, it is moved on now. 200 in every state, also when the OCR service cannot be asked (then `message` says so). Poll until `status` is `ocr_done` or `ocr_failed`.',
        tags: ['workbench'],
        params,
        response: { 200: envelope(ocrStepSchema), ...envelopeErrors },
      },
    },
    async (req) => {
      const { task, message } = await ocr.poll(idOf(req));
      return ok({ ...(await tasks.view(task)), message }, message);
    },
  );

  app.get(
    '/table/data/:task_id',
    {
      schema: {
        summary: 'The tables as full cell grids (latest workbook version)',
        description:
          'One sheet per table; `data` is the full grid: a merged cell appears once at its top-left with `rowspan`/`colspan`, the positions it covers are cells with empty text and span 1. Readable from `ocr_done` on (reading does not change the state); 409 before.',
        tags: ['workbench'],
        params,
        response: { 200: envelope(tableDataSchema), ...envelopeErrors },
      },
    },
    async (req) => {
      const id = idOf(req);
      const t = await workbooks.tables(id, null);
      const task = await tasks.require(id);
      const sheets = sheetsToGrid(t.sheets);
      return ok(
        { task_id: id, status: task.status, total_sheets: sheets.length, version: t.version, sheets },
        `${sheets.length} table${sheets.length === 1 ? '' : 's'}`,
      );
    },
  );

  app.post(
    '/table/save/:task_id',
    {
      bodyLimit: sheetsBodyLimit(config),
      schema: {
        summary: 'Save edited cell grids as a new workbook version',
        description:
          'The body has the shape `/table/data` answers (`task_id`, `status`, `total_sheets` are optional; when sent they must agree). Merges are rebuilt from the spans; text in a position a merge covers is refused. 422 OCRFLOW_ERR_INVALID_SHEETS saying which sheet, row and column is wrong, and nothing is saved; 409 before OCR is done. The task becomes `editable`; the OCR result never changes.',
        tags: ['workbench'],
        params,
        body: { ...tableDataSchema, required: ['sheets'] },
        response: {
          200: envelope({
            type: 'object',
            required: ['task_id', 'version', 'status'],
            properties: { task_id: { type: 'string' }, version: { type: 'integer' }, status: { type: 'string' } },
          }),
          ...envelopeErrors,
        },
      },
      // The body is checked by gridToSheets, whose messages name the sheet, row and column.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (req) => {
      const id = idOf(req);
      await tasks.require(id);
      const body = req.body;
      if (!isObject(body)) throw invalid('The body must be an object {task_id, status, total_sheets, sheets: [...]}');
      if (body.task_id !== undefined && body.task_id !== id)
        throw invalid(`task_id in the body (${JSON.stringify(body.task_id)}) is not the task in the path (${id})`);
      if (body.total_sheets !== undefined && (!Array.isArray(body.sheets) || body.total_sheets !== body.sheets.length))
        throw invalid(`total_sheets is ${JSON.stringify(body.total_sheets)} but sheets holds ${Array.isArray(body.sheets) ? body.sheets.length : 'no array'}`);
      const sheets = gridToSheets(body.sheets);
      const r = await workbooks.save(id, sheets, undefined);
      return ok({ task_id: id, version: r.version, status: r.task.status }, `Saved as version ${r.version}`);
    },
  );

  app.post(
    '/excel/generate/:task_id',
    {
      schema: {
        summary: 'Generate the workbook from the latest version',
        description:
          "At `ocr_done` this stores version 1 from the OCR result (`→ excel_generated`); later it writes the latest version's workbook again; after `excel_failed` it retries. 409 before OCR is done.",
        tags: ['workbench'],
        params,
        response: {
          200: envelope({
            type: 'object',
            required: ['task_id', 'excel_path', 'status', 'message', 'version'],
            properties: {
              task_id: { type: 'string' },
              excel_path: { type: 'string' },
              status: { type: 'string' },
              message: { type: 'string' },
              version: { type: 'integer' },
            },
          }),
          ...envelopeErrors,
        },
      },
    },
    async (req) => {
      const id = idOf(req);
      const r = await workbooks.generate(id);
      const view = await tasks.view(r.task);
      const message = `Workbook version ${r.version} generated`;
      return ok({ task_id: id, excel_path: view.excel_path ?? `/api/v1/excel/download/${id}`, status: r.task.status, message, version: r.version }, message);
    },
  );

  app.get(
    '/excel/download/:task_id',
    {
      schema: {
        summary: 'Download the workbook (.xlsx) of the latest version',
        description:
          'Named after the upload (`报表.jpg` → `报表.xlsx`, RFC 5987 Content-Disposition with an ASCII fallback); `X-Workbook-Version` says which version. At `ocr_done` version 1 is generated first (`→ excel_generated`). 409 before OCR is done.',
        tags: ['workbench'],
        params,
        produces: [XLSX_MIME],
        response: { 200: { description: 'The workbook', type: 'string', format: 'binary' }, ...envelopeErrors },
      },
    },
    async (req, reply) => {
      const r = await workbooks.excel(idOf(req), null);
      return reply
        .type(XLSX_MIME)
        .header('content-disposition', contentDisposition(r.task.filename, 'xlsx'))
        .header('x-workbook-version', String(r.version))
        .send(r.body);
    },
  );
};
