import type { Request } from 'express';
import type { z } from 'zod';
import { fromZod } from './problem';

/** Parses one part of the request or throws a 400 problem naming each bad field. */
export function parse<S extends z.ZodType>(schema: S, req: Request, location: 'body' | 'query' | 'params'): z.output<S> {
  const result = schema.safeParse(req[location] ?? {});
  if (!result.success) throw fromZod(result.error, location);
  return result.data;
}
