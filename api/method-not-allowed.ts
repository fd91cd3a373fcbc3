import { Router, type Request } from 'express';
import { HttpProblem } from './problem';
import type { RouteSpec } from './route-spec';

/** An Allow header as Express's own OPTIONS answer writes it: GET brings HEAD, sorted, comma-separated. */
export function allowHeader(methods: Iterable<string>): string {
  const set = new Set([...methods].map((m) => m.toUpperCase()));
  if (set.has('GET')) set.add('HEAD');
  return [...set].sort().join(', ');
}

/**
 * 405 with Allow for a path of the route table asked with a method none of its routes serves.
 * Mounted after every router, so only what nothing answered gets here; OPTIONS never does, as the
 * route table's router answers it with the same Allow. A URL can match several paths
 * (/v1/webhooks/deliveries and /v1/webhooks/:id): Allow is the union of their methods.
 */
export function methodNotAllowed(specs: RouteSpec[]): Router {
  const router = Router();
  const allowed = new WeakMap<Request, Set<string>>();
  const byPath = new Map<string, Set<string>>();
  for (const spec of specs) byPath.set(spec.path, (byPath.get(spec.path) ?? new Set()).add(spec.method));
  for (const [path, methods] of byPath) {
    router.all(path, (req, _res, next) => {
      const seen = allowed.get(req) ?? new Set();
      for (const method of methods) seen.add(method);
      allowed.set(req, seen);
      next();
    });
  }
  router.use((req, res, next) => {
    const methods = allowed.get(req);
    if (!methods || req.method === 'OPTIONS') return next();
    const allow = allowHeader(methods);
    res.setHeader('allow', allow);
    next(new HttpProblem(405, 'Method Not Allowed', `${req.method} is not served at ${req.path}; it takes ${allow}`));
  });
  return router;
}
