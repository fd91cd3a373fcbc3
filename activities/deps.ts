import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db';
import type { Chain } from './chain/client';

export interface ActivityDeps {
  prisma: PrismaClient;
  chain: Chain;
  logger: Logger;
  config: { walletMasterSecret: string; confirmations: number };
}
