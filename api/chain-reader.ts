import { Contract, type JsonRpcProvider } from 'ethers';
import { connectProvider } from '../activities/chain/client';
import type { Config } from '../common/config';
import { resolveContractAddresses, type ContractAddresses } from '../common/contract-addresses';
import type { PrismaClient } from '../common/db';
import { cacheTopics, type HotCache } from '../common/hot-cache';
import { loadArtifact } from '../contracts/artifacts';

/** Read-only chain access for the API (budgets, the treasury, the signer's health); it signs nothing. */
export interface ChainReader {
  connect(): Promise<{ provider: JsonRpcProvider; chainId: number; addresses: ContractAddresses; treasury: Contract; token: Contract }>;
  close(): void;
}

/**
 * The provider is connected on first use and kept (a failed connection is retried on the next
 * request). The contract addresses are a hot read: cached, and dropped when the deploy step
 * records others (common/hot-cache.ts), so every instance follows a redeployment at once.
 */
export function createChainReader(config: Config, prisma: PrismaClient, cache: HotCache): ChainReader {
  let connecting: Promise<{ provider: JsonRpcProvider; chainId: number }> | undefined;
  let provider: JsonRpcProvider | undefined;
  const contracts = new Map<string, Contract>();
  const contractAt = (name: 'RahatTreasury' | 'RahatToken', address: string, p: JsonRpcProvider) => {
    const key = `${name}:${address}`;
    let c = contracts.get(key);
    if (!c) contracts.set(key, (c = new Contract(address, loadArtifact(name).abi, p)));
    return c;
  };
  return {
    async connect() {
      connecting ??= connectProvider(config.chain.rpcUrl).then(
        (conn) => {
          provider = conn.provider;
          return conn;
        },
        (err: unknown) => {
          connecting = undefined;
          throw err;
        },
      );
      const conn = await connecting;
      const addresses =
        config.chain.contracts ??
        (await cache.get(cacheTopics.contracts(conn.chainId), () => resolveContractAddresses(config, prisma, conn.chainId)));
      return {
        ...conn,
        addresses,
        treasury: contractAt('RahatTreasury', addresses.treasury, conn.provider),
        token: contractAt('RahatToken', addresses.token, conn.provider),
      };
    },
    close() {
      provider?.destroy();
    },
  };
}
