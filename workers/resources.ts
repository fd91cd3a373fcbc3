import { createChain, type Chain } from '../activities/chain/client';
import { connectProvider } from '../activities/chain/client';
import { verifyChainIdentity } from '../activities/chain/identity';
import type { Config } from '../common/config';
import { resolveContractAddresses } from '../common/contract-addresses';
import { createPrisma, type PrismaClient } from '../common/db';

/** The long-lived clients a worker hands to its activities. */
export interface WorkerResources {
  prisma: PrismaClient;
  chain: Chain;
  close(): Promise<void>;
}

/**
 * Prisma and a chain client signing with `signerKey` (the hot key for the payout worker, the
 * admin key for the admin worker), after checking that the node is the chain the database
 * recorded: a worker never starts against a chain that forgot what was paid.
 */
export async function openResources(
  config: Config,
  signerKey = config.chain.signerKey,
  applicationName = 'rahat-worker',
): Promise<WorkerResources> {
  const prisma = createPrisma(config.databaseUrl, { applicationName });
  try {
    const { provider, chainId } = await connectProvider(config.chain.rpcUrl);
    try {
      await verifyChainIdentity(prisma, provider, chainId);
    } finally {
      provider.destroy();
    }
    const addresses = await resolveContractAddresses(config, prisma, chainId);
    const chain = await createChain({ rpcUrl: config.chain.rpcUrl, signerKey, addresses });
    return {
      prisma,
      chain,
      async close() {
        chain.close();
        await prisma.$disconnect();
      },
    };
  } catch (err) {
    await prisma.$disconnect();
    throw err;
  }
}
