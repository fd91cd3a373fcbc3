import { z } from 'zod';

/**
 * A comma-separated list of browser origins (scheme://host[:port]); shared by every *_ORIGINS
 * variable. zod runs the refinement even when z.url() failed, so it parses only what parses.
 */
export const originsList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(z.url().refine((o) => !URL.canParse(o) || new URL(o).origin === o, 'each origin must be scheme://host[:port] without a path')),
  );
