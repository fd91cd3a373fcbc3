import { z } from 'zod';

/** A disbursement packs each payout's amount into 96 bits (contracts/disbursement-codec.ts). */
export const MAX_AMOUNT = (1n << 96n) - 1n;

/** Token base units as a decimal string: never a float. */
export const amount = z
  .string()
  .regex(/^[1-9]\d{0,77}$/, 'must be a positive integer in token base units, as a string')
  // zod runs refinements even after the regex failed: BigInt must only see digits.
  .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= MAX_AMOUNT, `must be at most ${MAX_AMOUNT} (2^96 - 1) base units`);

/** A caller-chosen reference (distribution or batch id). */
export const reference = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 letters, digits, _ or -');

/** Keyset pagination shared by list routes. */
export const page = {
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
};

/**
 * "Exactly one of these sets of fields" on an object: the check the router applies (a 400 naming
 * the first set's first field) and the JSON Schema `oneOf` the document shows, from one list. A
 * set matches when all its fields are given and no field of another set is, so at most one does.
 */
export function exactlyOneOf<T extends z.ZodObject>(schema: T, sets: string[][], message: string): T {
  const fields = [...new Set(sets.flat())];
  const others = (set: string[]) => fields.filter((f) => !set.includes(f));
  const matches = (value: Record<string, unknown>, set: string[]) =>
    set.every((f) => value[f] !== undefined) && others(set).every((f) => value[f] === undefined);
  return schema
    .refine((value) => sets.some((set) => matches(value as Record<string, unknown>, set)), { message, path: [sets[0]![0]!] })
    .meta({
      oneOf: sets.map((set) => ({
        required: set,
        ...(others(set).length ? { not: { anyOf: others(set).map((f) => ({ required: [f] })) } } : {}),
      })),
    });
}
