import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client';

export type { PrismaClient };
export { Prisma } from '../prisma/generated/client';

/** Prisma 7's Rust-free client over node-postgres: no native engine to download. */
export function createPrisma(databaseUrl: string, opts: { max?: number } = {}): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10 }) });
}
