import type { RouteSpec } from './route-spec';
import { JSON_BODY_LIMIT } from './security';

/**
 * What the edge itself can answer for a route, whatever its handler does, from the same spec
 * flags the app and router act on: the OpenAPI document lists these for every operation.
 */
export function edgeProblems(spec: RouteSpec): Record<number, string> {
  const media = spec.upload ? [spec.upload.contentType].flat().join(' or ') : 'application/json (UTF-8)';
  const problems: Record<number, string> = {
    // Any route: a URL that is not UTF-8 or holds NUL (security.ts), a malformed x-request-id
    // (request-id.ts) or JSON body, a query or body the route does not take, a bad value (router.ts).
    400: 'Invalid request: each bad field is named (path, query, header or body)',
    // Every route reads a body when one is sent: JSON up to the parser's limit, or the upload's own.
    413: spec.upload ? `The upload is over ${spec.upload.maxBytes} bytes` : `The body is over ${JSON_BODY_LIMIT}`,
    415: `A body that is not ${media}`,
    429: 'Rate limit exceeded; see Retry-After',
  };
  if (spec.permission !== 'public') {
    problems[401] = 'No or invalid credentials';
    problems[403] = 'The caller lacks the permission or the project';
  }
  // A path parameter names something the handler looks up; another project's is not found either.
  if (spec.params) problems[404] = 'Not found (or not in one of the caller’s projects)';
  if (spec.startsWork) {
    problems[409] = 'A request with this Idempotency-Key is still in progress';
    problems[422] = 'The Idempotency-Key was used with a different request';
  }
  return problems;
}

/** A documented path asked with a method none of its routes serves (method-not-allowed.ts). */
export const METHOD_NOT_ALLOWED =
  'The path is served, not with this method: Allow lists the methods it takes (GET brings HEAD), the same list a plain OPTIONS answers with';
