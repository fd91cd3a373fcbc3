import { z } from 'zod';
import { originsList } from './config-schemas';

/**
 * The API's authentication, CORS and rate-limit variables: a fragment of common/config.ts's
 * schema, kept apart so the auth work edits config.ts in three lines only. Documented in
 * README.md#configuration and docs/security.md.
 */

// Signs local access tokens in development and tests; production refuses it.
export const DEV_JWT_SECRET = 'development-only-jwt-secret-do-not-use-anywhere';

/** Lenient on purpose (admin@localhost is fine); no spaces, control or invisible format characters. */
export const EMAIL = /^[^\s@\p{Cc}\p{Cf}]{1,64}@[^\s@\p{Cc}\p{Cf}]{1,189}$/u;
export const email = z.string().max(254).regex(EMAIL, 'must be an email address');

export const securityEnv = {
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_ROLE_CLAIM: z.string().min(1).default('role'),
  ADMIN_EMAIL: email.optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
  CORS_ORIGINS: originsList.optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(10),
};

type SecurityEnv = z.output<z.ZodObject<typeof securityEnv>>;

export interface SecurityConfig {
  /** HS256 key of the API's own access tokens. */
  jwtSecret: string;
  /** An external identity provider whose RS256 tokens are accepted too. */
  jwks?: { url: string; issuer: string; audience: string; roleClaim: string };
  /** Created at API start when no user exists yet. */
  bootstrapAdmin?: { email: string; password: string };
  /** Browser origins allowed by CORS; empty = none. */
  corsOrigins: string[];
  /** Requests per minute per caller (API key, user, or IP when anonymous). */
  rateLimitPerMinute: number;
  /** Login attempts per minute per IP. */
  loginRateLimitPerMinute: number;
}

/** Cross-variable rules; each issue names its variable. */
export function securityIssues(e: SecurityEnv, env: string): { variable: string; message: string }[] {
  const issues: { variable: string; message: string }[] = [];
  if (env === 'production' && !e.JWT_SECRET) issues.push({ variable: 'JWT_SECRET', message: 'is required in production' });
  const idp = [e.JWT_JWKS_URL, e.JWT_ISSUER, e.JWT_AUDIENCE];
  if (idp.some(Boolean) && !idp.every(Boolean)) {
    for (const variable of ['JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE'] as const)
      if (!e[variable]) issues.push({ variable, message: 'is required when an identity provider is configured' });
  }
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) {
    const variable = e.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL';
    issues.push({ variable, message: 'is required together with ' + (e.ADMIN_EMAIL ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD') });
  }
  return issues;
}

export function securityConfig(e: SecurityEnv): SecurityConfig {
  return {
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    jwks:
      e.JWT_JWKS_URL && e.JWT_ISSUER && e.JWT_AUDIENCE
        ? { url: e.JWT_JWKS_URL, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, roleClaim: e.JWT_ROLE_CLAIM }
        : undefined,
    bootstrapAdmin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
    corsOrigins: e.CORS_ORIGINS ?? [],
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
  };
}
