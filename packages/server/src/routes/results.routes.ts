/** `GET /v1/jobs/{id}/result?format=…[&partial=true]`. Formats come from `services/result.formats.ts`. */
import type { FastifyPluginAsync } from 'fastify';
import { callerOf } from '../http/caller.ts';
import { resultFormatNames } from '../services/result.formats.ts';
import type { ResultsService } from '../services/results.service.ts';
import { errorResponses, jobIdParams } from './jobs.schemas.ts';

export interface ResultsRoutesOptions {
  results: ResultsService;
}

export const resultsRoutes: FastifyPluginAsync<ResultsRoutesOptions> = async (app, { results }) => {
  app.get(
    '/jobs/:id/result',
    {
      schema: {
        summary: 'The result of a finished job',
        description:
          '409 OCRFLOW_ERR_RESULT_NOT_READY until the job is finished. With `partial=true` the pages finished so far are returned at any time (header `X-Ocrflow-Partial: true`).',
        tags: ['jobs'],
        params: jobIdParams,
        querystring: {
          type: 'object',
          properties: {
            // Not an enum in the schema: an unknown format gets our own 400 OCRFLOW_ERR_UNSUPPORTED_FORMAT.
            format: { type: 'string', default: 'json', description: `One of ${resultFormatNames().join(', ')}` },
            partial: { type: 'boolean', default: false },
          },
        },
        response: { ...errorResponses },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const q = req.query as { format: string; partial: boolean };
      const r = await results.read(callerOf(req), id, q.format, { partial: q.partial });
      reply.type(r.mime);
      reply.header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(r.filename)}`);
      if (r.partial) reply.header('x-ocrflow-partial', 'true');
      return reply.send(r.body);
    },
  );
};
