import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from './problem';

/** What a caller's x-request-id must be: the router refuses anything else, the document shows this pattern. */
export const REQUEST_ID_PATTERN = /^[\w.-]{1,64}$/;

const given = (req: Request) => req.get('x-request-id');

/** The request's id: the caller's when it matches, a new one otherwise (the refusal needs an id too). */
export function requestIdOf(req: Request): string {
  const id = given(req);
  return id !== undefined && REQUEST_ID_PATTERN.test(id) ? id : randomUUID();
}

/** 400 for an x-request-id that does not match: a correlation id never silently becomes another. */
export const refuseBadRequestId: RequestHandler = (req, _res, next) => {
  const id = given(req);
  if (id === undefined || REQUEST_ID_PATTERN.test(id)) return next();
  const message = `must match ${REQUEST_ID_PATTERN.source}`;
  next(new HttpProblem(400, 'Invalid request', `x-request-id ${message}`, [{ field: 'header.x-request-id', message }]));
};
