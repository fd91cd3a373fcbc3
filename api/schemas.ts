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
