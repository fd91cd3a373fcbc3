import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db';
import type { Authenticator } from './auth/actor';
import type { TemporalGateway } from './temporal';

export interface ApiDeps {
  prisma: PrismaClient;
  temporal: TemporalGateway;
  /** Probed by /health with a bare JSON-RPC call; the API sends no transactions. */
  rpcUrl: string;
  logger: Logger;
  taskQueue: string;
  auth: Authenticator;
}
