import { createChain, type Chain } from '../activities/chain/client';
import { connectProvider } from '../activities/chain/client';
import type { Config } from '../common/config';
import { resolveContractAddresses } from '../common/contract-addresses';
import { createPrisma, type PrismaClient } from '../common/db';

/** The long-lived clients a worker hands to its activities. */
export interface WorkerResources {
  prisma: PrismaClient;
  chain: Chain;
  close(): Promise<void>;
}

export async function openResources(config: Config): Promise<WorkerResources> {
  const prisma = createPrisma(config.databaseUrl, { applicationName: 'rahat-worker' });
  try {
    const { provider, chainId } = await connectProvider(config.chain.rpcUrl);
    provider.destroy();
    const addresses = await resolveContractAddresses(config, prisma, chainId);
    const chain = await createChain({ rpcUrl: config.chain.rpcUrl, signerKey: config.chain.signerKey, addresses });
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
