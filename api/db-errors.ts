import { Prisma } from '../common/db';

/** A unique constraint refused the write: someone else created that row first. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
