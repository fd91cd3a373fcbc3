import { randomInt } from 'node:crypto';
import { JsonRpcProvider } from 'ethers';
import { createPrisma } from '../../common/db';
import { loadConfig } from '../../common/config';
import { startAnvil, type AnvilHandle } from '../../scripts/stack/anvil';
import { ensureContracts } from '../../scripts/stack/contracts';

export interface PendingTx {
  hash: string;
  from: string;
  to: string | null;
  input: string;
  nonce: number;
}

/** Mines a chain started with `noMining` only while the test lets it. */
export interface Miner {
  /** Mines every `intervalMs` while `allow(pool)` holds (default: always). */
  start(intervalMs?: number, allow?: (pool: PendingTx[]) => boolean): void;
  stop(): Promise<void>;
  mine(blocks?: number): Promise<void>;
  pool(): Promise<PendingTx[]>;
  readonly running: boolean;
}

export interface OwnChain {
  anvil: AnvilHandle;
  url: string;
  chainId: number;
  provider: JsonRpcProvider;
  miner: Miner;
  /** Environment for startSystem: this chain instead of the suite-wide one. */
  env: Record<string, string>;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/**
 * A chain of a suite's own, for scenarios that stall, rewind or reconfigure it, so the shared
 * chain (and every other suite's records) stays true. Its chain id is its own, so nonces,
 * transactions and contract records in the shared database never mix with the shared chain's.
 * The core contracts are deployed and recorded as on the shared chain.
 */
export async function startOwnChain(
  opts: { mining?: 'auto' | 'manual'; blockTime?: number; gasLimit?: number; chainId?: number } = {},
): Promise<OwnChain> {
  const chainId = opts.chainId ?? randomInt(100_000, 2_000_000_000);
  const manual = opts.mining === 'manual';
  const anvil = await startAnvil({ chainId, noMining: manual, blockTime: opts.blockTime, gasLimit: opts.gasLimit });
  const provider = new JsonRpcProvider(anvil.url, chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
  const rpc = <T>(method: string, params: unknown[] = []) => provider.send(method, params) as Promise<T>;
  const miner = manualMiner(rpc);
  const stop = async () => {
    await miner.stop();
    provider.destroy();
    await anvil.stop();
  };
  try {
    if (manual) miner.start(50);
    const config = loadConfig({ ...process.env, BLOCKCHAIN_RPC_URL: anvil.url }, { adminWorker: true });
    const prisma = createPrisma(config.databaseUrl, { max: 1 });
    try {
      await ensureContracts({ rpcUrl: anvil.url, adminKey: config.admin!.privateKey, hotSigner: config.admin!.hotSigner, prisma });
    } finally {
      await prisma.$disconnect();
      await miner.stop();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { anvil, url: anvil.url, chainId, provider, miner, env: { BLOCKCHAIN_RPC_URL: anvil.url }, rpc, stop };
}

function manualMiner(rpc: <T>(method: string, params?: unknown[]) => Promise<T>): Miner {
  let loop: Promise<void> | undefined;
  let running = false;
  const pool = async (): Promise<PendingTx[]> => {
    const content = await rpc<{ pending: Record<string, Record<string, PendingTx & { nonce: string }>> }>('txpool_content');
    return Object.values(content.pending).flatMap((byNonce) =>
      Object.values(byNonce).map((t) => ({ hash: t.hash, from: t.from, to: t.to, input: t.input, nonce: Number(t.nonce) })),
    );
  };
  const mine = async (blocks = 1) => {
    for (let i = 0; i < blocks; i++) await rpc('evm_mine');
  };
  return {
    get running() {
      return running;
    },
    start(intervalMs = 100, allow = () => true) {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          try {
            const pending = await pool();
            if (pending.length > 0 && allow(pending)) await mine();
          } catch {
            // The node is stopping.
          }
          await new Promise((r) => setTimeout(r, intervalMs));
        }
      })();
    },
    async stop() {
      running = false;
      await loop;
      loop = undefined;
    },
    mine,
    pool,
  };
}
