import { z } from 'zod';
import { HttpProblem } from './problem';

/**
 * One pagination shape for every list: `?limit=&cursor=` in, `{ items, nextCursor }` out.
 * The cursor is opaque to clients (base64url of the last item's sort key); newest first.
 */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z
    .string()
    .regex(/^[\w-]{1,200}$/, 'must be a cursor returned by a previous page')
    .optional(),
};

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new HttpProblem(400, 'Invalid request', 'query.cursor: is not a cursor this API issued', [
      { field: 'query.cursor', message: 'is not a cursor this API issued' },
    ]);
  }
}

/** `rows` were fetched with `take: limit + 1`: the extra row only says that another page exists. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => unknown, present: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  const nextCursor = more ? Buffer.from(JSON.stringify(keyOf(items[items.length - 1])), 'utf8').toString('base64url') : undefined;
  return { items: items.map(present), ...(nextCursor ? { nextCursor } : {}) };
}

/** Keyset condition for rows ordered by (createdAt desc, id desc). */
export const createdCursor = z.tuple([z.iso.datetime(), z.uuid()]);
export function olderThan(key: [string, string] | undefined) {
  if (!key) return {};
  const at = new Date(key[0]);
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: key[1] } }] };
}
