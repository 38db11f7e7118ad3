/** `GET /v1/engines`: the OCR engines this service offers, with their health. */
import type { FastifyPluginAsync } from 'fastify';
import type { HealthService } from '../services/health.service.ts';
import { errorResponses } from './jobs.schemas.ts';

const engineSchema = {
  type: 'object',
  required: ['name', 'kind', 'configured', 'default', 'ok', 'detail'],
  properties: {
    name: { type: 'string', description: 'The value of a job’s `engine` field' },
    kind: { type: 'string', enum: ['local', 'remote'], description: 'local: runs on this machine’s CPU; remote: delegates to a configured endpoint' },
    configured: { type: 'boolean', description: 'False for a remote engine whose endpoint setting is empty' },
    default: { type: 'boolean', description: 'Used by jobs that name no engine (OCRFLOW_ENGINE)' },
    ok: { type: 'boolean' },
    detail: { type: 'string', description: 'Models, endpoint, or why the engine is not usable' },
  },
} as const;

export interface EnginesRoutesOptions {
  health: HealthService;
}

export const enginesRoutes: FastifyPluginAsync<EnginesRoutesOptions> = async (app, { health }) => {
  app.get(
    '/engines',
    {
      schema: {
        summary: 'List the OCR engines with their health',
        description:
          'Local engines (paddle, tesseract) are checked by their model files; remote engines (vlm, ppstructure) by one short request to their endpoint, cached for a few seconds.',
        tags: ['service'],
        response: { 200: { type: 'object', required: ['engines'], properties: { engines: { type: 'array', items: engineSchema } } }, ...errorResponses },
      },
    },
    async () => ({ engines: await health.engines() }),
  );
};
