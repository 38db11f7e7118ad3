/**
 * DeepSeek-OCR-Web compatible routes (`/api/start`, `/api/progress/{task_id}`, `/api/result/{task_id}`),
 * behind the same Bearer token as the native API. Errors keep the native `{error: {code, message}}`
 * and add the original's `{"status": "error", "message"}`, so clients that test `status` and
 * clients that test the HTTP code both see the failure.
 */
import type { FastifyPluginAsync } from 'fastify';
import { callerOf } from '../http/caller.ts';
import { installErrorHandlers } from '../http/errors.handler.ts';
import type { DeepSeekCompatService, DeepSeekStartBody } from '../services/compat.deepseek.service.ts';

const errorAnswer = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['error'] }, message: { type: 'string' }, error: { type: 'object', additionalProperties: true } },
} as const;
const errors = { '4xx': errorAnswer, '5xx': errorAnswer };
const taskParams = { type: 'object', required: ['task_id'], properties: { task_id: { type: 'string', maxLength: 255 } } } as const;

export interface DeepSeekCompatRoutesOptions {
  deepseek: DeepSeekCompatService;
}

export const deepseekCompatRoutes: FastifyPluginAsync<DeepSeekCompatRoutesOptions> = async (app, { deepseek: svc }) => {
  installErrorHandlers(app, (e) => ({ status: 'error', message: e.message, ...e.toJSON() }), false);

  app.post(
    '/api/start',
    {
      schema: {
        summary: 'DeepSeek-OCR-Web: start OCR of a file on the server',
        description:
          'JSON `{file_path, prompt, task_id, webhook_url}`; `file_path` must lie under OCRFLOW_INPUT_DIRS. Answers `{"status": "running", "task_id"}` (also for a repeated task_id with the same content). When the job ends, `webhook_url` receives the signed webhook body, which carries `task_id` and `result_dir`.',
        tags: ['compat: DeepSeek-OCR-Web'],
        body: {
          type: 'object',
          required: ['file_path'],
          properties: {
            file_path: { type: 'string', minLength: 1, maxLength: 4096 },
            prompt: { type: 'string', maxLength: 8000 },
            task_id: { type: 'string', maxLength: 255 },
            webhook_url: { type: 'string', maxLength: 2048 },
            original_filename: { type: 'string', maxLength: 1024 },
          },
        },
        response: {
          200: { type: 'object', properties: { status: { type: 'string', enum: ['running'] }, task_id: { type: 'string' }, job_id: { type: 'string' } } },
          ...errors,
        },
      },
    },
    async (req) => {
      const r = await svc.start(callerOf(req), req.body as DeepSeekStartBody);
      return { status: r.status, task_id: r.task_id, job_id: r.job_id };
    },
  );

  app.get(
    '/api/progress/:task_id',
    {
      schema: {
        summary: 'DeepSeek-OCR-Web: progress of a task',
        tags: ['compat: DeepSeek-OCR-Web'],
        params: taskParams,
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              task_id: { type: 'string' },
              state: { type: 'string', enum: ['running', 'finished', 'error', 'cancelled'] },
              progress: { type: 'integer', minimum: 0, maximum: 100 },
              job_id: { type: 'string' },
              job_status: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (req) => svc.progress(callerOf(req), (req.params as { task_id: string }).task_id),
  );

  app.get(
    '/api/result/:task_id',
    {
      schema: {
        summary: 'DeepSeek-OCR-Web: result files of a task',
        description:
          '`{"status": "running"}` while it runs; `{"status": "success", state: "finished", result_dir, files}` when done; `{"status": "error", message}` when it failed.',
        tags: ['compat: DeepSeek-OCR-Web'],
        params: taskParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async (req) => svc.result(callerOf(req), (req.params as { task_id: string }).task_id),
  );
};
