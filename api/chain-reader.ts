import { Contract, type JsonRpcProvider } from 'ethers';
import { connectProvider } from '../activities/chain/client';
import type { Config } from '../common/config';
import { resolveContractAddresses, type ContractAddresses } from '../common/contract-addresses';
import type { PrismaClient } from '../common/db';
import { loadArtifact } from '../contracts/artifacts';

/** Read-only chain access for the API (budgets, the treasury, the signer's health); it signs nothing. */
export interface ChainReader {
  connect(): Promise<{ provider: JsonRpcProvider; chainId: number; addresses: ContractAddresses; treasury: Contract; token: Contract }>;
  close(): void;
}

/** Connected on first use and kept; a failed connection is retried on the next request. */
export function createChainReader(config: Config, prisma: PrismaClient): ChainReader {
  let connecting: ReturnType<ChainReader['connect']> | undefined;
  let provider: JsonRpcProvider | undefined;
  return {
    connect() {
      connecting ??= (async () => {
        const conn = await connectProvider(config.chain.rpcUrl);
        provider = conn.provider;
        const addresses = await resolveContractAddresses(config, prisma, conn.chainId);
        return {
          ...conn,
          addresses,
          treasury: new Contract(addresses.treasury, loadArtifact('RahatTreasury').abi, conn.provider),
          token: new Contract(addresses.token, loadArtifact('RahatToken').abi, conn.provider),
        };
      })().catch((err: unknown) => {
        provider?.destroy();
        connecting = undefined;
        throw err;
      });
      return connecting;
    },
    close() {
      provider?.destroy();
    },
  };
}
