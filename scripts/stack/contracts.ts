import { NonceManager, parseUnits, Wallet } from 'ethers';
import { connectProvider } from '../../activities/chain/client';
import { prismaDeploymentStore } from '../../common/contract-addresses';
import type { PrismaClient } from '../../common/db';
import { compileContracts } from '../../contracts/compile';
import { type CoreAddresses, deployCore } from '../../contracts/deploy';

/** Funds a fresh treasury so a local stack can pay out at once: one billion tokens. */
export const LOCAL_TREASURY_SUPPLY = parseUnits('1000000000', 18);

/**
 * Compiles (cached) and deploys the core contracts, recording addresses in Postgres;
 * contracts still on the chain with the recorded code are reused.
 */
export async function ensureContracts(opts: {
  rpcUrl: string;
  signerKey: string;
  prisma: PrismaClient;
  initialTreasurySupply?: bigint;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}): Promise<CoreAddresses> {
  await compileContracts({ logger: opts.logger });
  const { provider } = await connectProvider(opts.rpcUrl);
  try {
    const wallet = new Wallet(opts.signerKey, provider);
    return await deployCore({
      signer: new NonceManager(wallet),
      engineSigner: wallet.address,
      initialTreasurySupply: opts.initialTreasurySupply ?? LOCAL_TREASURY_SUPPLY,
      store: prismaDeploymentStore(opts.prisma),
      logger: opts.logger,
    });
  } finally {
    provider.destroy();
  }
}
