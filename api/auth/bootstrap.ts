import { randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../common/db';
import { hashPassword } from './passwords';
import { toDbRole } from './roles';
import { normalizeEmail } from './sessions';

/**
 * The first admin, created at API start when no user exists (from ADMIN_EMAIL and
 * ADMIN_PASSWORD). Under an advisory lock, so API processes starting together create one.
 * Returns the new user's id, or undefined when users existed already.
 */
export async function ensureFirstAdmin(prisma: PrismaClient, admin: { email: string; password: string }): Promise<string | undefined> {
  if ((await prisma.user.count()) > 0) return undefined;
  const passwordHash = await hashPassword(admin.password);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('rahat-temporal:first-admin'))`;
    if ((await tx.user.count()) > 0) return undefined;
    const user = await tx.user.create({
      data: { id: randomUUID(), email: normalizeEmail(admin.email), passwordHash, role: toDbRole('admin'), projects: [] },
    });
    return user.id;
  });
}

/** Development only: a random password for admin@localhost, shown once by `npm start`. */
export const developmentAdmin = () => ({ email: 'admin@localhost', password: randomBytes(18).toString('base64url') });
