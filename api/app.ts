import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { ApiDeps } from './deps';
import { problemHandler, unknownRoute } from './problem';
import { buildRouter } from './router';
import { routeTable } from './routes';

const REQUEST_ID = /^[\w.-]{1,64}$/;

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    req.id = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    const started = performance.now();
    res.on('finish', () => {
      deps.logger.info(
        { requestId: req.id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'request',
      );
    });
    next();
  });
  app.use(express.json({ limit: '100kb', strict: true }));
  app.use(buildRouter(routeTable(deps), deps.auth));
  app.use(unknownRoute);
  app.use(problemHandler(deps.logger));
  return app;
}
