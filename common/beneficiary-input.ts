import { getAddress } from 'ethers';
import { z } from 'zod';
import type { PersonalData } from './crypto/vault';

/**
 * One beneficiary as an agency sends it, for a single registration (JSON body) and for every
 * row of a bulk import (CSV, JSON, partner feed): validated and normalised in one place.
 * Error messages name the rule, never the value, so a report holds no personal data.
 */

const upper = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v), z.enum(values, `must be one of ${values.join(', ')}`));

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const externalIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[\w.:@+-]+$/, 'may contain letters, digits and . _ : @ + - only');

/** E.164 after removing spaces, dashes, dots and brackets: one spelling, one blind index. */
export const phoneSchema = z
  .string()
  .transform((v) => v.replace(/[\s\-().]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an international number starting with + and the country code'));

const birthDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v) && v >= '1900-01-01' && d.getTime() <= Date.now();
  }, 'must be a real date between 1900 and today');

const extras = z
  .record(
    z.string().regex(/^[A-Za-z][\w-]{0,63}$/, 'keys must be identifiers'),
    z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
  )
  .refine((o) => Object.keys(o).length <= 20, 'must have at most 20 keys');

export const beneficiaryFields = {
  externalId: externalIdSchema.optional(),
  name: text(200).optional(),
  phone: phoneSchema.optional(),
  email: z.string().trim().toLowerCase().pipe(z.email('must be an email address')).optional(),
  nationalId: text(64).optional(),
  gender: upper(['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'] as const).optional(),
  birthDate: birthDate.optional(),
  ageRange: z
    .string()
    .trim()
    .regex(/^(\d{1,3}-\d{1,3}|\d{1,3}\+)$/, 'must look like 18-25 or 60+')
    .optional(),
  location: text(200).optional(),
  bankedStatus: upper(['UNKNOWN', 'UNBANKED', 'UNDER_BANKED', 'BANKED'] as const).optional(),
  internetStatus: upper(['UNKNOWN', 'NO_INTERNET', 'MOBILE_INTERNET', 'HOME_INTERNET'] as const).optional(),
  phoneStatus: upper(['UNKNOWN', 'NO_PHONE', 'FEATURE_PHONE', 'SMART_PHONE'] as const).optional(),
  /** Bring your own address: paid directly, no wallet contract. */
  walletAddress: z
    .string()
    .trim()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address')
    // The token refuses transfers to it: one such payout would revert its whole chunk.
    .refine((a) => !/^0x0{40}$/.test(a), 'must not be the zero address')
    .transform((a) => getAddress(a.toLowerCase()))
    .optional(),
  extras: extras.optional(),
};

/** The fields plus `extra` ones (e.g. projectId), requiring a business key: externalId or phone. */
export function beneficiarySchema<E extends z.ZodRawShape>(extra: E) {
  return z
    .strictObject({ ...extra, ...beneficiaryFields })
    .refine((b) => (b as { externalId?: unknown }).externalId !== undefined || (b as { phone?: unknown }).phone !== undefined, {
      message: 'externalId or phone is required to identify the person',
      path: ['externalId'],
    });
}

export const beneficiaryInput = beneficiarySchema({});
export type BeneficiaryInput = z.output<typeof beneficiaryInput>;

/** Non-personal fields, as stored on the beneficiary row. */
export interface Profile {
  gender?: string;
  birthDate?: string;
  ageRange?: string;
  location?: string;
  bankedStatus?: string;
  internetStatus?: string;
  phoneStatus?: string;
  extras?: Record<string, string | number | boolean | null>;
}

export interface BeneficiaryRecord {
  externalId?: string;
  personal: PersonalData;
  profile: Profile;
  walletAddress?: string;
}

/** Splits a validated input into what is encrypted and what is not. */
export function toRecord(input: BeneficiaryInput): BeneficiaryRecord {
  const { externalId, name, phone, email, nationalId, walletAddress, ...profile } = input;
  const personal = Object.fromEntries(Object.entries({ name, phone, email, nationalId }).filter(([, v]) => v !== undefined));
  return { externalId, personal, profile, walletAddress };
}

export interface FieldError {
  field: string;
  message: string;
}

/** The issues of a failed parse as (field, message) pairs, unknown keys each named. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ field: k, message: 'is not a known field' }))
      : [{ field: i.path.map(String).join('.') || '(row)', message: i.message }],
  );
}
