import type { JsonRpcProvider } from 'ethers';
import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db';
import type { TemporalGateway } from './temporal';

export interface ApiDeps {
  prisma: PrismaClient;
  temporal: TemporalGateway;
  provider: JsonRpcProvider;
  logger: Logger;
  taskQueue: string;
}
