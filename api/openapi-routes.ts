import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { RouteSpec } from './route-spec';
import { route } from './route-spec';
import { buildOpenApi } from './openapi';

const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));
// Source runs from api/, the build from dist/api/: package.json is at the root of either.
const ROOT = path.resolve(__dirname, path.basename(path.resolve(__dirname, '..')) === 'dist' ? '../..' : '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

// No inline script: the page works under the API's Content-Security-Policy (script-src 'self').
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>rahat-temporal API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false });`;

/**
 * /openapi.json and the interactive page /docs (Swagger UI served from node_modules, so it
 * works offline). `table` is read at request time: the document includes these routes too.
 */
export function openApiRoutes(table: () => RouteSpec[]): RouteSpec[] {
  let cached: unknown;
  return [
    route({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      tags: ['docs'],
      // Describes the API, not its data; integrators read it before they hold credentials.
      permission: 'public',
      responses: { 200: { description: 'OpenAPI 3.1 document' } },
      async handler({ res }) {
        cached ??= buildOpenApi(table(), VERSION);
        res.json(cached);
      },
    }),
    route({
      method: 'get',
      path: '/docs',
      summary: 'Interactive API documentation (Swagger UI)',
      tags: ['docs'],
      permission: 'public',
      responses: { 200: { description: 'HTML page' } },
      async handler({ res }) {
        res.type('html').send(PAGE);
      },
    }),
  ];
}

/** The page's static files: outside the route table, as they are not API operations. */
export function docsAssets(): Router {
  const router = Router();
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  router.use('/docs/assets', express.static(SWAGGER_UI, { index: false, maxAge: '1h' }));
  return router;
}
