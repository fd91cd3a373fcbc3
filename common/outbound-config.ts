import { z } from 'zod';
import { ADDRESS_POLICIES, literalIp, refusal, type AddressPolicy } from './http/address-policy';
import type { BreakerOptions } from './http/service-client';

/**
 * Outside services (webhooks, partner registries): which addresses they may be at and when a
 * failing one's breaker opens. A fragment of common/config.ts's schema; documented in
 * README.md#configuration and docs/operations.md ("Outside services").
 */
export const outboundEnv = {
  OUTBOUND_ADDRESS_POLICY: z.enum(ADDRESS_POLICIES).optional(),
  OUTBOUND_BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(5),
  OUTBOUND_BREAKER_RESET_SECONDS: z.coerce.number().positive().max(3600).default(30),
};

type OutboundEnv = z.output<z.ZodObject<typeof outboundEnv>>;

export interface OutboundConfig {
  addressPolicy: AddressPolicy;
  breaker: BreakerOptions;
}

export function outboundConfig(e: OutboundEnv, env: string): OutboundConfig {
  return {
    // Safe by default where it matters: production reaches public addresses only.
    addressPolicy: e.OUTBOUND_ADDRESS_POLICY ?? (env === 'production' ? 'public' : 'loopback'),
    breaker: { threshold: e.OUTBOUND_BREAKER_THRESHOLD, resetTimeoutMs: Math.round(e.OUTBOUND_BREAKER_RESET_SECONDS * 1000) },
  };
}

/** Partner registries given as IP literals the policy refuses; names are resolved by the worker at start. */
export function outboundIssues(policy: AddressPolicy, partners: Record<string, { url: string }>): { variable: string; message: string }[] {
  return Object.entries(partners).flatMap(([name, p]) => {
    const ip = literalIp(new URL(p.url));
    const refused = ip ? refusal(ip, policy) : undefined;
    return refused ? [{ variable: 'IMPORT_PARTNERS', message: `${name}: ${refused.message} (OUTBOUND_ADDRESS_POLICY=${policy})` }] : [];
  });
}
