import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client';

export type { PrismaClient };
export { Prisma } from '../prisma/generated/client';

/** Prisma 7's Rust-free client over node-postgres: no native engine to download. */
export function createPrisma(databaseUrl: string, opts: { max?: number; applicationName?: string } = {}): PrismaClient {
  // application_name lets operators (and the fault tests) tell the worker's connections apart.
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10, application_name: opts.applicationName ?? 'rahat' }),
  });
}
