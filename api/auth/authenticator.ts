import type { Request } from 'express';
import { decodeProtectedHeader, errors } from 'jose';
import { z } from 'zod';
import type { PrismaClient } from '../../common/db';
import type { Logger } from '../../common/logger';
import type { SecurityConfig } from '../../common/security-config';
import { HttpProblem } from '../problem';
import type { Actor, Authenticator } from './actor';
import { externalVerifier } from './jwks';
import type { Permission } from './permissions';
import { API_KEY_GRANTABLE, fromDbRole, projectScope, ROLE_PERMISSIONS, type Role } from './roles';
import { CODEC_SESSION_COOKIE, readCookie } from './cookies';
import { apiKeyPrefix, sameHash, sha256, verifyAccessToken, verifyCodecSession } from './tokens';

const LAST_USED_RESOLUTION_MS = 60_000;
const uuid = z.uuid();
const invalid = (detail = 'invalid credentials') => new HttpProblem(401, 'Unauthorized', detail);

const roleActor = (id: string, role: Role, projects: readonly string[]): Actor => ({
  kind: 'user',
  id,
  permissions: ROLE_PERMISSIONS[role],
  projects: projectScope(role, projects),
});

/**
 * Bearer tokens (the API's own HS256, or an identity provider's RS256) and x-api-key keys;
 * on the routes that ask for it, the codec's browser session cookie.
 */
export function createAuthenticator(deps: { prisma: PrismaClient; security: SecurityConfig; logger: Logger }): Authenticator {
  const { prisma, security, logger } = deps;
  const external = security.jwks ? externalVerifier(security.jwks) : undefined;

  /** Role and projects are read on every request: disabling a user or changing their role takes effect at once. */
  async function userActor(userId: string): Promise<Actor> {
    const user = await prisma.user.findUnique({ where: { id: userId } });
    if (!user || user.disabledAt) throw invalid('the user does not exist or is disabled');
    return roleActor(user.id, fromDbRole(user.role), user.projects);
  }

  async function fromBearer(token: string): Promise<Actor> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw invalid();
    }
    try {
      if (alg === 'RS256' && external) {
        const who = await external(token);
        return roleActor(`idp:${who.subject}`, who.role, who.projects);
      }
      return await userActor(await verifyAccessToken(security.jwtSecret, token));
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      if (err instanceof errors.JWTExpired) throw invalid('the access token has expired; refresh it');
      // Only the error code: the token itself never reaches a log line.
      logger.debug({ reason: (err as { code?: string }).code ?? (err as Error).name }, 'bearer token refused');
      throw invalid();
    }
  }

  async function fromApiKey(key: string): Promise<Actor> {
    const prefix = apiKeyPrefix(key);
    const row = prefix ? await prisma.apiKey.findUnique({ where: { prefix } }) : null;
    if (!row || !sameHash(sha256(key), row.secretHash)) throw invalid();
    const now = new Date();
    if (row.revokedAt) throw invalid('the API key has been revoked');
    if (row.expiresAt <= now) throw invalid('the API key has expired');
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
      // Conditional, so concurrent requests and API processes write at most once a minute.
      prisma.apiKey
        .updateMany({ where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] }, data: { lastUsedAt: now } })
        .catch((err: Error) => logger.warn({ apiKeyId: row.id, err: err.message }, 'could not record API key use'));
    }
    const permissions = row.permissions.filter((p): p is Permission => API_KEY_GRANTABLE.has(p as Permission));
    return { kind: 'api-key', id: row.id, permissions: new Set(permissions), projects: new Set(row.projects) };
  }

  /** The session row is read with its user on every request: a sign-out on any instance ends it at once. */
  async function fromCodecSession(token: string): Promise<Actor> {
    let claims: { userId: string; sessionId: string };
    try {
      claims = await verifyCodecSession(security.jwtSecret, token);
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw invalid('the codec session has expired; sign in again at /codec/login');
      logger.debug({ reason: (err as { code?: string }).code ?? (err as Error).name }, 'codec session refused');
      throw invalid('the codec session is not valid; sign in again at /codec/login');
    }
    const session = uuid.safeParse(claims.sessionId).success
      ? await prisma.codecSession.findUnique({ where: { id: claims.sessionId }, include: { user: true } })
      : null;
    if (!session || session.userId !== claims.userId || session.revokedAt || session.expiresAt <= new Date())
      throw invalid('the codec session has ended; sign in again at /codec/login');
    const { user } = session;
    if (user.disabledAt) throw invalid('the user does not exist or is disabled');
    return roleActor(user.id, fromDbRole(user.role), user.projects);
  }

  return {
    async authenticate(req: Request, opts = {}) {
      const header = req.get('authorization');
      const key = req.get('x-api-key');
      if (header === undefined && key === undefined) {
        const session = opts.sessionCookie ? readCookie(req, CODEC_SESSION_COOKIE) : undefined;
        return session === undefined ? undefined : fromCodecSession(session);
      }
      if (header !== undefined && key !== undefined) throw invalid('send either a Bearer token or an x-api-key header, not both');
      if (key !== undefined) return fromApiKey(key);
      const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header!.trim());
      if (!match) throw invalid('the Authorization header must be "Bearer <token>"');
      return fromBearer(match[1]);
    },
  };
}
