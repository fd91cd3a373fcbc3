import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Actor } from './auth/actor';
import type { Permission } from './auth/permissions';
import type { SpooledBody } from './upload-spool';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerContext<B, Q, P> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: P;
  /** Undefined only on 'public' routes. */
  actor: Actor | undefined;
  /** Set on routes that start work: what makes a retry of this request the same request. */
  request?: StartRequest;
  /** Set on upload routes: the body, spooled to disk and hashed before the handler runs (read it here, not from req). */
  upload?: SpooledBody;
}

/** docs/operations.md#idempotency-keys */
export interface StartRequest {
  /** sha256 of method, path, query and body (for uploads, of the body's bytes). Stored on what the request creates. */
  fingerprint: string;
  /** When an Idempotency-Key was sent: an id derived from caller, route and key, for what the request creates. */
  keyedId: string | undefined;
}

/**
 * One route, declared as data: the router validates, authenticates and authorises from it,
 * the OpenAPI document is generated from it, and the security tests iterate over it.
 */
export interface RouteSpec<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express path syntax, e.g. /v1/beneficiaries/:id */
  path: string;
  summary: string;
  tags: string[];
  permission: Permission | 'public';
  /** The project a request acts on, for project-scoped callers; checked after validation. */
  project?: (input: { body: z.output<B>; query: z.output<Q>; params: z.output<P> }) => string | undefined;
  /** The body is a stream of this type, read by the handler itself (not JSON). */
  upload?: { contentType: string | string[]; maxBytes: number };
  /** Also accepts the codec's browser session cookie (api/auth/cookies.ts) as credentials. */
  sessionCookie?: boolean;
  /** Starts work: honours Idempotency-Key, and the handler gets `request`. */
  startsWork?: boolean;
  body?: B;
  query?: Q;
  params?: P;
  /** Status code → description (and optional schema) for the OpenAPI document. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler(ctx: HandlerContext<z.output<B>, z.output<Q>, z.output<P>>): Promise<void>;
}

/** Keeps the handler's types tied to the schemas without repeating them. */
export function route<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType>(
  spec: RouteSpec<B, Q, P>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}
