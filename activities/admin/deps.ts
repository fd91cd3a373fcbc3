import type { Logger } from 'pino';
import type { PrismaClient } from '../../common/db';
import type { Faults } from '../../common/faults';
import type { Chain } from '../chain/client';

/** What the admin worker's activities get: its chain client signs with the admin key. */
export interface AdminDeps {
  prisma: PrismaClient;
  chain: Chain;
  logger: Logger;
  faults: Faults;
  /** The engine's hot key: the only disburser of the contracts the admin deploys. */
  hotSigner: string;
  config: { confirmations: number; stuckAfterMs: number; maxFeePerGas: bigint };
}
