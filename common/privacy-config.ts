import { z } from 'zod';
import { KEY_ID } from './crypto/key-ring';
import { originsList } from './config-schemas';

/**
 * Personal-data encryption, the payload codec's browser origins and bulk import settings: a
 * fragment of common/config.ts's schema, kept apart so config.ts changes in three lines only.
 * Documented in README.md#configuration and docs/privacy.md.
 */

// Fixed development keys (base64 of 32 bytes): fine locally, refused in production.
const DEV_PII_KEYS = { 'dev-1': 'ZGV2ZWxvcG1lbnQtb25seS1waWkta2V5LWRvLW5vdCE=' };
const DEV_BLIND_INDEX_KEY = 'ZGV2ZWxvcG1lbnQtb25seS1ibGluZC1pbmRleC1rZXkh';

const json = <T extends z.ZodType>(schema: T, example: string) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be JSON, e.g. ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const base64Key = (min: number, exact: boolean) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
    .refine((v) => (exact ? Buffer.from(v, 'base64').length === min : Buffer.from(v, 'base64').length >= min), {
      message: exact ? `must be base64 of exactly ${min} bytes` : `must be base64 of at least ${min} bytes`,
    });

export const privacyEnv = {
  PII_ENCRYPTION_KEYS: json(
    z
      .record(z.string(), base64Key(32, true))
      .refine((m) => Object.keys(m).length > 0, 'must hold at least one key')
      .refine((m) => Object.keys(m).every((id) => KEY_ID.test(id)), 'key ids must be 1-32 letters, digits, _ or -'),
    '{"k1":"<base64 of 32 random bytes>"}',
  ).optional(),
  PII_ACTIVE_KEY_ID: z.string().regex(KEY_ID).optional(),
  PII_BLIND_INDEX_KEY: base64Key(32, false).optional(),
  CODEC_CORS_ORIGINS: originsList.default(['http://127.0.0.1:8233', 'http://localhost:8233']),
  IMPORT_CHUNK_SIZE: z.coerce.number().int().min(10).max(5000).default(1000),
  IMPORT_PARTNERS: json(
    z.record(
      z.string().regex(/^[a-z0-9-]{1,32}$/, 'partner names must be 1-32 lowercase letters, digits or -'),
      z.strictObject({ url: z.url(), token: z.string().min(1).optional() }),
    ),
    '{"unicef":{"url":"https://registry.example/beneficiaries","token":"…"}}',
  ).optional(),
};

type PrivacyEnv = z.output<z.ZodObject<typeof privacyEnv>>;

export interface PrivacyConfig {
  /** AES-256-GCM keys by id and the one that encrypts; plus the blind index's HMAC key. */
  pii: { encryptionKeys: Record<string, string>; activeKeyId: string; blindIndexKey: string };
  /** Browser origins (the Temporal Web UI) allowed to call /codec/encode and /codec/decode. */
  codecCorsOrigins: string[];
  imports: {
    /** Rows enrolled per database transaction (one activity). */
    chunkSize: number;
    /** Partner registries an import may pull from, by name; callers name one, never a URL. */
    partners: Record<string, { url: string; token?: string }>;
  };
}

/** Cross-variable rules; each issue names its variable. */
export function privacyIssues(e: PrivacyEnv, env: string): { variable: string; message: string }[] {
  const issues: { variable: string; message: string }[] = [];
  if (env === 'production') {
    for (const variable of ['PII_ENCRYPTION_KEYS', 'PII_BLIND_INDEX_KEY'] as const)
      if (!e[variable]) issues.push({ variable, message: 'is required in production' });
  }
  const keys = Object.keys(e.PII_ENCRYPTION_KEYS ?? DEV_PII_KEYS);
  if (e.PII_ACTIVE_KEY_ID && !keys.includes(e.PII_ACTIVE_KEY_ID)) {
    issues.push({ variable: 'PII_ACTIVE_KEY_ID', message: `must be one of the ids in PII_ENCRYPTION_KEYS (${keys.join(', ')})` });
  } else if (!e.PII_ACTIVE_KEY_ID && keys.length > 1) {
    issues.push({ variable: 'PII_ACTIVE_KEY_ID', message: 'is required when PII_ENCRYPTION_KEYS holds several keys' });
  }
  return issues;
}

export function privacyConfig(e: PrivacyEnv): PrivacyConfig {
  const encryptionKeys = e.PII_ENCRYPTION_KEYS ?? DEV_PII_KEYS;
  return {
    pii: {
      encryptionKeys,
      activeKeyId: e.PII_ACTIVE_KEY_ID ?? Object.keys(encryptionKeys)[0]!,
      blindIndexKey: e.PII_BLIND_INDEX_KEY ?? DEV_BLIND_INDEX_KEY,
    },
    codecCorsOrigins: e.CODEC_CORS_ORIGINS,
    imports: { chunkSize: e.IMPORT_CHUNK_SIZE, partners: e.IMPORT_PARTNERS ?? {} },
  };
}
