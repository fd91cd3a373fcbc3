import { NonceManager, parseUnits, Wallet } from 'ethers';
import { connectProvider } from '../../activities/chain/client';
import { verifyChainIdentity } from '../../activities/chain/identity';
import { prismaDeploymentStore } from '../../common/contract-addresses';
import type { PrismaClient } from '../../common/db';
import { compileContracts } from '../../contracts/compile';
import { type CoreAddresses, deployCore } from '../../contracts/deploy';

/** Funds a fresh treasury so a local stack can pay out at once: one billion tokens. */
export const LOCAL_TREASURY_SUPPLY = parseUnits('1000000000', 18);

/**
 * Compiles (cached) and deploys the core contracts with the admin key, recording addresses in
 * Postgres; contracts still on the chain with the recorded code are reused. The hot key gets
 * only the treasury's disburser role. A chain that is not the one the database recorded is
 * refused before anything is sent (it would otherwise get a second set of contracts).
 */
export async function ensureContracts(opts: {
  rpcUrl: string;
  adminKey: string;
  /** The engine's hot key's address. */
  hotSigner: string;
  prisma: PrismaClient;
  initialTreasurySupply?: bigint;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Called for each address recorded, so running API instances drop the ones they cached. */
  changed?: (topic: string) => Promise<void>;
}): Promise<CoreAddresses> {
  await compileContracts({ logger: opts.logger });
  const { provider, chainId } = await connectProvider(opts.rpcUrl);
  try {
    await verifyChainIdentity(opts.prisma, provider, chainId);
    return await deployCore({
      signer: new NonceManager(new Wallet(opts.adminKey, provider)),
      engineSigner: opts.hotSigner,
      initialTreasurySupply: opts.initialTreasurySupply ?? LOCAL_TREASURY_SUPPLY,
      store: prismaDeploymentStore(opts.prisma, opts.changed),
      logger: opts.logger,
    });
  } finally {
    provider.destroy();
  }
}
