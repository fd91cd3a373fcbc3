import { Router } from 'express';
import type { Authenticator } from './auth/actor';
import { mayAccessProject } from './auth/actor';
import { HttpProblem } from './problem';
import type { RouteSpec } from './route-spec';
import { parse } from './validate';

/** Builds the express router from route specs: validate → authenticate → authorise → handle. */
export function buildRouter(specs: RouteSpec[], auth: Authenticator): Router {
  const router = Router();
  for (const spec of specs) {
    router[spec.method](spec.path, async (req, res) => {
      const actor = spec.permission === 'public' ? undefined : await auth.authenticate(req);
      if (spec.permission !== 'public') {
        if (!actor) throw new HttpProblem(401, 'Unauthorized', 'credentials are required: a Bearer token or an x-api-key header');
        if (!actor.permissions.has(spec.permission)) throw new HttpProblem(403, 'Forbidden', `requires permission ${spec.permission}`);
      }
      const params = spec.params ? parse(spec.params, req, 'params') : {};
      const query = spec.query ? parse(spec.query, req, 'query') : {};
      const body = spec.body ? parse(spec.body, req, 'body') : undefined;
      if (spec.body === undefined && req.body !== undefined && Object.keys(req.body as object).length > 0) {
        throw new HttpProblem(400, 'Invalid request', 'this route takes no body', [{ field: 'body', message: 'must be empty' }]);
      }
      const projectId = spec.project?.({ body, query, params });
      if (actor && projectId !== undefined && !mayAccessProject(actor, projectId)) {
        throw new HttpProblem(403, 'Forbidden', `no access to project ${projectId}`);
      }
      await spec.handler({ req, res, body, query, params, actor });
    });
  }
  return router;
}
