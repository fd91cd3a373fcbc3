import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem; the error middleware renders it as application/problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what: string) => new HttpProblem(404, 'Not Found', `${what} does not exist`);

export function fromZod(err: z.ZodError, location: 'body' | 'query' | 'params'): HttpProblem {
  const errors = err.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [i.path.join('.')];
    return keys.map((k) => ({ field: k ? `${location}.${k}` : location, message: i.message }));
  });
  const flat = errors.flat();
  return new HttpProblem(400, 'Invalid request', flat.map((e) => `${e.field}: ${e.message}`).join('; '), flat);
}

export const unknownRoute: RequestHandler = (req, _res, next) =>
  next(new HttpProblem(404, 'Not Found', `no route for ${req.method} ${req.path}`));

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (isBodyParserError(err)) problem = new HttpProblem(err.status, BODY_PARSER_TITLES[err.status] ?? 'Malformed body', err.message);
    else {
      logger.error({ err, requestId: req.id }, 'unhandled error');
      problem = new HttpProblem(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged');
    }
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance: req.originalUrl,
        requestId: req.id,
        ...(problem.errors ? { errors: problem.errors } : {}),
      });
  };
}

/** The body parser's 413 (over the limit) and 415 (a charset or encoding it cannot read); anything else is a malformed body. */
const BODY_PARSER_TITLES: Record<number, string> = { 413: 'Payload Too Large', 415: 'Unsupported Media Type' };

function isBodyParserError(err: unknown): err is { status: number; message: string } {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && typeof (err as { type?: unknown }).type === 'string';
}
