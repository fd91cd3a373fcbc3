import { createRemoteJWKSet, jwtVerify } from 'jose';
import { isRole, type Role } from './roles';

export interface ExternalIdentity {
  subject: string;
  role: Role;
  projects: string[];
}

/**
 * Tokens of an external identity provider: RS256 only (never HS256, so the provider's public
 * key can never be used as an HMAC secret), checked against issuer and audience, keys from
 * its JWKS (cached by jose, refetched when an unknown key id appears).
 */
export function externalVerifier(opts: { url: string; issuer: string; audience: string; roleClaim: string }) {
  const keys = createRemoteJWKSet(new URL(opts.url), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  return async (token: string): Promise<ExternalIdentity> => {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ['RS256'],
      issuer: opts.issuer,
      audience: opts.audience,
      requiredClaims: ['exp', 'sub'],
    });
    const role = payload[opts.roleClaim];
    if (!isRole(role)) throw new Error(`claim ${opts.roleClaim} is not a known role`);
    const projects = payload.projects ?? [];
    if (!Array.isArray(projects) || !projects.every((p) => typeof p === 'string'))
      throw new Error('claim projects must be a list of project ids');
    return { subject: payload.sub!, role, projects };
  };
}
