import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db';
import type { Faults } from '../common/faults';
import type { Chain } from './chain/client';

export interface ActivityDeps {
  prisma: PrismaClient;
  chain: Chain;
  logger: Logger;
  faults: Faults;
  config: { walletMasterSecret: string; confirmations: number; stuckAfterMs: number };
}
