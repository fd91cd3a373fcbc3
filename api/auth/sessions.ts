import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient } from '../../common/db';
import { email } from '../../common/security-config';
import type { User } from '../../prisma/generated/client';
import { HttpProblem } from '../problem';
import { decoyHash, verifyPassword } from './passwords';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  CODEC_SESSION_TTL_SECONDS,
  issueAccessToken,
  issueCodecSession,
  newRefreshToken,
  REFRESH_TOKEN_TTL_MS,
  sha256,
} from './tokens';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
}

const refused = () => new HttpProblem(401, 'Unauthorized', 'invalid email or password');
const refreshRefused = () => new HttpProblem(401, 'Unauthorized', 'the refresh token is invalid, expired or revoked');

/** The body of a password sign-in: /v1/auth/login and /codec/session. */
export const credentials = z.strictObject({ email, password: z.string().min(1).max(256) });

/** Emails compare case-insensitively: stored and looked up in lower case. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * Password login, refresh-token rotation with reuse detection, logout; the codec's browser
 * sessions. Both kinds live in Postgres and are read on every use, so a revocation holds on
 * every API instance at once and survives the loss of anything else (Redis included).
 */
export function createSessions(prisma: PrismaClient, jwtSecret: string) {
  async function issue(userId: string, familyId: string, db: Pick<PrismaClient, 'refreshToken'> = prisma): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    const refreshExpiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_MS);
    await db.refreshToken.create({
      data: { id: randomUUID(), userId, familyId, tokenHash: sha256(refreshToken), expiresAt: refreshExpiresAt },
    });
    return {
      accessToken: await issueAccessToken(jwtSecret, userId),
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      refreshToken,
      refreshExpiresAt,
    };
  }

  /** The user these credentials belong to; 401 otherwise (also for a disabled user). */
  async function verifyCredentials(email: string, password: string): Promise<User> {
    const user = await prisma.user.findUnique({ where: { email: normalizeEmail(email) } });
    // Verify even for an unknown email, so response time does not tell which emails exist.
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !ok || user.disabledAt) throw refused();
    return user;
  }

  const revokeFamily = (familyId: string) =>
    prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });

  return {
    verifyCredentials,

    async login(email: string, password: string): Promise<{ userId: string; tokens: TokenPair }> {
      const user = await verifyCredentials(email, password);
      return { userId: user.id, tokens: await issue(user.id, randomUUID()) };
    },

    async refresh(token: string): Promise<{ userId: string; tokens: TokenPair }> {
      const row = await prisma.refreshToken.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
      if (!row) throw refreshRefused();
      if (row.revokedAt) {
        // A rotated token came back: someone holds a copy. End the whole session.
        await revokeFamily(row.familyId);
        throw refreshRefused();
      }
      if (row.expiresAt <= new Date() || row.user.disabledAt) throw refreshRefused();
      const tokens = await prisma.$transaction(async (tx) => {
        // Conditional: of two concurrent refreshes with the same token, only one rotates.
        const { count } = await tx.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
        return count === 1 ? issue(row.userId, row.familyId, tx) : undefined;
      });
      if (!tokens) {
        await revokeFamily(row.familyId);
        throw refreshRefused();
      }
      return { userId: row.userId, tokens };
    },

    /** Ends the session the token belongs to; unknown tokens are ignored (nothing to reveal). */
    async logout(token: string): Promise<string | undefined> {
      const row = await prisma.refreshToken.findUnique({ where: { tokenHash: sha256(token) } });
      if (row) await revokeFamily(row.familyId);
      return row?.userId;
    },

    async revokeAllOf(userId: string): Promise<void> {
      const now = new Date();
      await prisma.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
      await prisma.codecSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    },

    /** A codec session row and the cookie's token that names it. */
    async startCodecSession(userId: string): Promise<string> {
      const id = randomUUID();
      const now = Date.now();
      await prisma.codecSession.create({ data: { id, userId, expiresAt: new Date(now + CODEC_SESSION_TTL_SECONDS * 1000) } });
      return issueCodecSession(jwtSecret, userId, now, id);
    },

    /** Signing out: the session ends for every instance, even if the cookie was copied. */
    async endCodecSession(sessionId: string): Promise<void> {
      await prisma.codecSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
