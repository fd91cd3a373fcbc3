import type { Logger } from 'pino';
import type { PersonalDataVault } from '../common/crypto/vault';
import type { PrismaClient } from '../common/db';
import type { Faults } from '../common/faults';
import type { ServiceClients } from '../common/http/service-clients';
import type { RetentionSettings } from '../common/retention';
import type { Chain } from './chain/client';
import type { OrphanStarts } from './orphans';

export interface ActivityDeps {
  prisma: PrismaClient;
  chain: Chain;
  logger: Logger;
  faults: Faults;
  /** Seals personal data staged by a partner import (common/crypto). */
  vault: PersonalDataVault;
  /** Clients of outside services (common/http): the partner registries' pulls go through them. */
  outbound: ServiceClients;
  /** The worker's Temporal client, for the sweep that starts work whose workflow never started. */
  workflowStarts?: OrphanStarts;
  config: {
    walletMasterSecret: string;
    /** ID_DERIVATION_KEY: beneficiary ids of projects with derivation 2 (common/ids.ts). */
    idDerivationKey: string;
    confirmations: number;
    stuckAfterMs: number;
    /** The fee ceiling (TX_MAX_FEE_GWEI) in wei: no transaction is signed above it. */
    maxFeePerGas: bigint;
    /** Partner registries a bulk import may pull from (IMPORT_PARTNERS). */
    partners: Record<string, { url: string; token?: string }>;
    /** Days each kind of record is kept (RETENTION_*), read by the retention activity at each run. */
    retention: RetentionSettings;
  };
}
