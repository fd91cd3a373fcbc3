import { Router, type Request } from 'express';
import type { PrismaClient } from '../common/db';
import type { Logger } from '../common/logger';
import { requestContext } from '../common/request-context';
import type { Actor, Authenticator } from './auth/actor';
import { mayAccessProject } from './auth/actor';
import { auditOnEnd } from './auth/audit';
import { ALL_PERMISSIONS } from './auth/permissions';
import { HttpProblem } from './problem';
import type { RouteSpec } from './route-spec';
import { requireJsonBody, type RateLimiter } from './security';
import { actorScope, fingerprint, idempotencyKeyOf, withIdempotency } from './idempotency';
import { idempotencyStore, type LeaseTimings } from './idempotency-store';
import { idFromKey } from './request-ids';
import { spoolBody } from './upload-spool';
import { parse } from './validate';

export interface RouterDeps {
  auth: Authenticator;
  limiter: RateLimiter;
  prisma: PrismaClient;
  logger: Logger;
  /** Idempotency-Key leases; the default (30 s, renewed every 10 s) unless a test shortens it. */
  lease?: LeaseTimings;
}

/** The body's media type without parameters: `Text/CSV; charset=utf-8` is text/csv. */
const mediaType = (req: Request) => (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/** Default deny: a spec must name a known permission, or 'public' on purpose. */
function checkSpecs(specs: RouteSpec[]): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    const name = `${spec.method.toUpperCase()} ${spec.path}`;
    if (spec.permission !== 'public' && !ALL_PERMISSIONS.includes(spec.permission)) {
      throw new Error(`route ${name} declares no known permission (${String(spec.permission)})`);
    }
    if (seen.has(name)) throw new Error(`route ${name} is declared twice`);
    seen.add(name);
  }
}

/**
 * Builds the express router from route specs:
 * audit (mutations) → authenticate → rate limit → authorise → validate → project scope →
 * (uploads) spool the body → (starting work) Idempotency-Key → handle.
 */
export function buildRouter(specs: RouteSpec[], deps: RouterDeps): Router {
  checkSpecs(specs);
  const router = Router();
  const idempotency = idempotencyStore(deps.prisma, deps.lease);
  for (const spec of specs) {
    const action = `${spec.method.toUpperCase()} ${spec.path}`;
    router[spec.method](spec.path, async (req, res) => {
      if (spec.method !== 'get') auditOnEnd(deps, req, res, action);
      let actor: Actor | undefined;
      if (spec.permission !== 'public') {
        try {
          actor = await deps.auth.authenticate(req, { sessionCookie: spec.sessionCookie });
        } catch (err) {
          await deps.limiter.take(req, res, undefined); // failed credentials count against the IP
          throw err;
        }
        if (!actor) {
          await deps.limiter.take(req, res, undefined);
          const accepted = spec.sessionCookie
            ? 'a Bearer token, an x-api-key header or a codec session (sign in at /codec/login)'
            : 'a Bearer token or an x-api-key header';
          throw new HttpProblem(401, 'Unauthorized', `credentials are required: ${accepted}`);
        }
        res.locals.auditActor = { kind: actor.kind, id: actor.id };
      }
      await deps.limiter.take(req, res, actor);
      if (actor && spec.permission !== 'public' && !actor.permissions.has(spec.permission)) {
        throw new HttpProblem(403, 'Forbidden', `requires permission ${spec.permission}`);
      }
      if (!spec.upload) requireJsonBody(req);
      else if (!req.is(spec.upload.contentType)) {
        throw new HttpProblem(415, 'Unsupported Media Type', `this route takes ${[spec.upload.contentType].flat().join(' or ')}`);
      }
      const params = spec.params ? parse(spec.params, req, 'params') : {};
      const query = spec.query ? parse(spec.query, req, 'query') : {};
      const body = spec.body ? parse(spec.body, req, 'body') : undefined;
      if (spec.query === undefined && Object.keys(req.query).length > 0) {
        throw new HttpProblem(400, 'Invalid request', 'this route takes no query parameters', [
          { field: 'query', message: 'must be empty' },
        ]);
      }
      if (spec.body === undefined && req.body !== undefined && (Array.isArray(req.body) || Object.keys(req.body as object).length > 0)) {
        throw new HttpProblem(400, 'Invalid request', 'this route takes no body', [{ field: 'body', message: 'must be empty' }]);
      }
      const projectId = spec.project?.({ body, query, params });
      if (actor && projectId !== undefined && !mayAccessProject(actor, projectId)) {
        throw new HttpProblem(403, 'Forbidden', `no access to project ${projectId}`);
      }
      const key = spec.startsWork ? idempotencyKeyOf(req) : undefined;
      // The request id rides along into any workflow the handler starts (common/request-context-client.ts).
      await requestContext.run({ requestId: req.id }, async () => {
        const upload = spec.upload ? await spoolBody(req, spec.upload.maxBytes) : undefined;
        try {
          const ctx = { req, res, body, query, params, actor, upload };
          if (!spec.startsWork) return await spec.handler(ctx);
          const scope = actorScope(actor);
          const request = {
            fingerprint: fingerprint(req, upload && { contentType: mediaType(req), sha256: upload.sha256 }),
            keyedId: key === undefined ? undefined : idFromKey({ actor: scope, route: action, key }),
          };
          await withIdempotency(idempotency, {
            req,
            res,
            actor: scope,
            key,
            fingerprint: request.fingerprint,
            logger: deps.logger,
            run: () => spec.handler({ ...ctx, request }),
          });
        } finally {
          await upload?.remove();
        }
      });
    });
  }
  return router;
}
