/**
 * The web UI at `/`: files of the built UI (`packages/web/dist`, `npm start` builds it) through
 * @fastify/static, and the single-page-app fallback — a browser asking for a page (`Accept:
 * text/html`) at any path that is not a file and not an API path gets `index.html`, so deep links
 * and reloads work. API clients keep their JSON 404s. When the UI is not built, pages get a plain
 * explanation instead (503).
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { OcrflowError } from '@ocrflow/core';
import { sendEnvelopeError } from './envelope.ts';

/** Paths that belong to the APIs: never answered with the UI. */
const API_PATH = /^\/(api|v1|docs|openapi\.json|health|ready|metrics|jobs-from-uploading|longpoll|result)(\/|$|\?)/;

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ocrflow</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:.1rem .3rem}</style></head>
<body><h1>ocrflow is running, but its web UI is not built</h1>
<p>The OCR service and the workbench API work (see <a href="/docs">/docs</a>), but the web pages are missing.</p>
<p>Build them with <code>npm run build -w packages/web</code> and reload this page, or start with <code>npm start</code>, which builds them first.</p>
</body></html>
`;

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export interface WebUiRoutesOptions {
  /** The built web UI; undefined in processes without the workbench (no UI served). */
  webDir: string | undefined;
}

export const webUiRoutes: FastifyPluginAsync<WebUiRoutesOptions> = async (app, { webDir }) => {
  if (webDir === undefined) return;
  const root = path.resolve(webDir);
  await app.register(fastifyStatic, { root, serve: false });

  const page = (reply: FastifyReply) => {
    if (!isFile(path.join(root, 'index.html'))) return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    // The page names hashed assets: it must be revalidated so a rebuilt UI is picked up.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    schema: { hide: true },
    handler: async (req, reply) => {
      const urlPath = req.url.split('?')[0];
      if (urlPath.startsWith('/api/v1/')) return sendEnvelopeError(reply, new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `No route ${req.method} ${urlPath}`));
      if (urlPath === '/' || urlPath === '/index.html') return page(reply);
      let rel: string;
      try {
        rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
      } catch {
        return reply.callNotFound();
      }
      const file = path.resolve(root, rel);
      if (file.startsWith(root + path.sep) && !rel.split('/').some((s) => s.startsWith('.')) && isFile(file)) {
        // Vite names built assets by content hash: they never change under their name.
        const immutable = rel.startsWith('assets/');
        return reply.sendFile(rel, root, { maxAge: immutable ? '365d' : 0, immutable });
      }
      if (!API_PATH.test(urlPath) && /text\/html/i.test(req.headers.accept ?? '') && !/\.[A-Za-z0-9]{1,8}$/.test(urlPath)) return page(reply);
      return reply.callNotFound();
    },
  });
};
