import express, { type Express, type Request } from 'express';
import type { ApiDeps } from './deps';
import { httpMetrics } from './metrics';
import { methodNotAllowed } from './method-not-allowed';
import { docsAssets } from './openapi-routes';
import { problemHandler, unknownRoute } from './problem';
import { refuseBadRequestId, requestIdOf } from './request-id';
import { codecCors } from './routes/codec';
import { codecLoginAssets } from './routes/codec-session';
import { buildRouter } from './router';
import { routeTable } from './routes';
import { JSON_BODY_LIMIT, rateLimiter, refuseNul, rejectBadUrl, securityHeaders } from './security';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // req.ip is the client a trusted proxy names in X-Forwarded-For, else the peer (TRUST_PROXY).
  app.set('trust proxy', deps.trustProxy);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    req.id = requestIdOf(req);
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
  app.use(httpMetrics(deps.metrics));
  // Before the API's own CORS: the Temporal Web UI's origin may call the codec endpoint only.
  app.use('/codec', codecCors(deps.privacy.codecCorsOrigins));
  app.use(securityHeaders(deps.security));
  app.use(rejectBadUrl);
  app.use(refuseBadRequestId);
  const routes = routeTable(deps);
  // Upload routes stream their body themselves (a JSON array of 100,000 rows is no 100 kB body).
  const uploads = new Set(routes.filter((r) => r.upload).map((r) => r.path));
  app.use(
    express.json({
      limit: JSON_BODY_LIMIT,
      strict: true,
      reviver: refuseNul,
      type: (req) => !uploads.has((req as Request).path) && Boolean((req as Request).is('application/json')),
    }),
  );
  const limiter = rateLimiter(deps.limits.requests);
  app.locals.routes = routes; // what the security tests iterate over: exactly what is served
  app.use(buildRouter(routes, { auth: deps.auth, limiter, prisma: deps.prisma, logger: deps.logger }));
  app.use(docsAssets());
  app.use(codecLoginAssets());
  app.use(methodNotAllowed(routes));
  app.use(unknownRoute);
  app.use(problemHandler(deps.logger));
  return app;
}
