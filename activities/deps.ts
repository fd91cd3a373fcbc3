import type { Logger } from 'pino';
import type { PersonalDataVault } from '../common/crypto/vault';
import type { PrismaClient } from '../common/db';
import type { Faults } from '../common/faults';
import type { Chain } from './chain/client';

export interface ActivityDeps {
  prisma: PrismaClient;
  chain: Chain;
  logger: Logger;
  faults: Faults;
  /** Seals personal data staged by a partner import (common/crypto). */
  vault: PersonalDataVault;
  config: {
    walletMasterSecret: string;
    confirmations: number;
    stuckAfterMs: number;
    /** Partner registries a bulk import may pull from (IMPORT_PARTNERS). */
    partners: Record<string, { url: string; token?: string }>;
  };
}
