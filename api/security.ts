import cors from 'cors';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { SecurityConfig } from '../common/security-config';
import type { Actor } from './auth/actor';
import { HttpProblem } from './problem';
import type { SharedLimit } from './rate-limits';

/** Security headers and CORS, for every response (errors included). */
export function securityHeaders(security: SecurityConfig): RequestHandler[] {
  return [
    // Helmet's defaults, less upgrade-insecure-requests: it would send the /docs page's own
    // assets to https on a plain-http local API (TLS is the proxy's job; HSTS is still set).
    helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }),
    // No origin is allowed unless configured: browsers then refuse cross-origin calls.
    preflightsOnly(
      cors({
        origin: security.corsOrigins.length ? security.corsOrigins : false,
        methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'idempotency-key', 'x-request-id'],
        exposedHeaders: ['x-request-id', 'location', 'retry-after'],
        maxAge: 600,
      }),
    ),
  ];
}

/**
 * The cors middleware answers every OPTIONS as a preflight (204, no Allow). A plain OPTIONS
 * (no Origin and Access-Control-Request-Method) goes on to the router instead, which answers
 * with the path's Allow, as the document says.
 */
export function preflightsOnly(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const preflight = req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    if (req.method === 'OPTIONS' && !preflight) return next();
    handler(req, res, next);
  };
}

/** The largest JSON body the API parses (express.json's limit): 413 past it. */
export const JSON_BODY_LIMIT = '100kb';

/** 415 for a request body that is not JSON: the API parses nothing else. */
export function requireJsonBody(req: Request): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    throw new HttpProblem(415, 'Unsupported Media Type', 'request bodies must be application/json');
  }
}

export interface RateLimiter {
  /** Counts one request of the caller (or of the IP when there is none); throws 429 when over. */
  take(req: Request, res: Response, actor: Actor | undefined): Promise<void>;
}

/**
 * One limit per API key, per user, and per IP for requests without valid credentials. The IP is
 * Express's `req.ip`: the peer, or the client a trusted proxy names (TRUST_PROXY).
 */
export function rateLimiter(limit: SharedLimit): RateLimiter {
  return {
    take: (req, res, actor) => limit.take(actor ? `${actor.kind}:${actor.id}` : `ip:${req.ip ?? req.socket.remoteAddress}`, res),
  };
}

/**
 * A URL that is not valid percent-encoded UTF-8 cannot name anything here (the router would
 * fail to decode it, a 500), and NUL never belongs in this API's input (PostgreSQL cannot
 * store it): both are refused up front with 400.
 */
export const rejectBadUrl: RequestHandler = (req, _res, next) => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    return next(new HttpProblem(400, 'Invalid request', 'the URL is not valid percent-encoded UTF-8'));
  }
  next(
    decoded.includes('\0') || /%00/.test(req.originalUrl)
      ? new HttpProblem(400, 'Invalid request', 'the URL contains a NUL character')
      : undefined,
  );
};

/** JSON.parse reviver for express.json: a thrown SyntaxError becomes a 400 from the body parser. */
export function refuseNul(key: string, value: unknown): unknown {
  if (key.includes('\0') || (typeof value === 'string' && value.includes('\0'))) throw new SyntaxError('the body contains a NUL character');
  return value;
}
