import type { Config } from './config';
import type { PrismaClient } from './db';
import { cacheTopics } from './hot-cache';

export interface ContractAddresses {
  token: string;
  treasury: string;
  forwarder: string;
  walletFactory: string;
}

const NAMES = { token: 'RahatToken', treasury: 'RahatTreasury', forwarder: 'RahatForwarder', walletFactory: 'RahatWalletFactory' } as const;

/** CONTRACT_ADDRESSES wins; otherwise what the deploy script recorded for this chain. */
export async function resolveContractAddresses(config: Config, prisma: PrismaClient, chainId: number): Promise<ContractAddresses> {
  if (config.chain.contracts) return config.chain.contracts;
  const rows = await prisma.contractDeployment.findMany({ where: { chainId } });
  const byName = new Map(rows.map((r) => [r.name, r.address]));
  const missing = Object.values(NAMES).filter((n) => !byName.has(n));
  if (missing.length) {
    throw new Error(
      `CONTRACT_ADDRESSES: not set and no deployment of ${missing.join(', ')} recorded for chain ${chainId}; ` +
        'run `npm run contracts:deploy` or set CONTRACT_ADDRESSES',
    );
  }
  return {
    token: byName.get(NAMES.token)!,
    treasury: byName.get(NAMES.treasury)!,
    forwarder: byName.get(NAMES.forwarder)!,
    walletFactory: byName.get(NAMES.walletFactory)!,
  };
}

/**
 * The deploy script's DeploymentStore, kept in Postgres beside the data it serves. `changed`
 * (invalidationPublisher) tells running API instances, which cache the addresses, to read them again.
 */
export function prismaDeploymentStore(prisma: PrismaClient, changed?: (topic: string) => Promise<void>) {
  return {
    async load(chainId: number) {
      const rows = await prisma.contractDeployment.findMany({ where: { chainId } });
      return Object.fromEntries(
        rows.map((r) => [
          r.name,
          { address: r.address, codeHash: r.codeHash, blockNumber: r.blockNumber === null ? undefined : Number(r.blockNumber) },
        ]),
      );
    },
    async save(chainId: number, name: string, rec: { address: string; codeHash: string; blockNumber?: number }) {
      const data = {
        address: rec.address,
        codeHash: rec.codeHash,
        blockNumber: rec.blockNumber === undefined ? null : BigInt(rec.blockNumber),
      };
      await prisma.contractDeployment.upsert({
        where: { chainId_name: { chainId, name } },
        create: { chainId, name, ...data },
        update: data,
      });
      await changed?.(cacheTopics.contracts(chainId));
    },
  };
}
