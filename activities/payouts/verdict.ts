import { Interface, type Contract, type EventLog, type Log } from 'ethers';
import { loadArtifact } from '../../contracts/artifacts';
import type { Chain } from '../chain/client';
import { queryLogsPaged } from '../chain/log-pages';
import type { Paid } from './single';

/**
 * What the chain's contracts themselves recorded, read at the confirmation depth: the only
 * judge of "paid". A record seen only in newer blocks is `pending` (it may still be reorged
 * away); `unpaid` means neither the confirmed chain nor its head knows of it.
 */
export type Verdict<T = Paid> = { state: 'paid'; paid: T } | { state: 'pending' } | { state: 'unpaid' };

export function chainVerdicts(chain: Chain, confirmations: number) {
  async function safeBlock(): Promise<number> {
    return Math.max(0, (await chain.provider.getBlockNumber()) - confirmations + 1);
  }

  /** `recordedAt(key)` is a mapping to the block number of the record (0 = none). */
  async function judge<T>(recordedAt: (blockTag?: number) => Promise<bigint>, find: (block: number) => Promise<T>): Promise<Verdict<T>> {
    const confirmed = await recordedAt(await safeBlock());
    if (confirmed > 0n) return { state: 'paid', paid: await find(Number(confirmed)) };
    return (await recordedAt()) > 0n ? { state: 'pending' } : { state: 'unpaid' };
  }

  async function eventIn(contract: Contract, filter: Parameters<Contract['queryFilter']>[0], block: number, what: string): Promise<Log> {
    const [log] = await contract.queryFilter(filter, block, block);
    if (!log) throw new Error(`${what} is recorded in block ${block} but its event is not visible there yet`);
    return log;
  }

  const at = (f: (blockTag?: number) => Promise<unknown>) => async (blockTag?: number) => BigInt((await f(blockTag)) as bigint);

  return {
    /** A chunk of a batch: the disbursement contract's chunkPaidAt. */
    chunk(disbursement: Contract, chunkId: string): Promise<Verdict> {
      return judge(
        at((blockTag) => disbursement.getFunction('chunkPaidAt')(chunkId, { blockTag })),
        async (block) => {
          const log = await eventIn(disbursement, disbursement.filters.ChunkPaid!(null, chunkId), block, `chunk ${chunkId}`);
          return { txHash: log.transactionHash, blockNumber: log.blockNumber };
        },
      );
    },

    /** A treasury release (a single payout, or a batch round's funding): releasedAt, and the amount released. */
    release(ref: string): Promise<Verdict<Paid & { amount: bigint }>> {
      return judge(
        at((blockTag) => chain.treasury.getFunction('releasedAt')(ref, { blockTag })),
        async (block) => {
          const log = (await eventIn(chain.treasury, chain.treasury.filters.Released!(ref), block, `release ${ref}`)) as EventLog;
          return { txHash: log.transactionHash, blockNumber: log.blockNumber, amount: BigInt(log.args.amount as bigint) };
        },
      );
    },

    /** Unspent budget sent back by a disbursement contract under `ref`, and how much. */
    returned(disbursement: Contract, ref: string): Promise<Verdict<Paid & { amount: bigint }>> {
      return judge(
        at((blockTag) => disbursement.getFunction('returnedAt')(ref, { blockTag })),
        async (block) => {
          const log = (await eventIn(disbursement, disbursement.filters.Returned!(ref), block, `return ${ref}`)) as EventLog;
          return { txHash: log.transactionHash, blockNumber: log.blockNumber, amount: BigInt(log.args.amount as bigint) };
        },
      );
    },

    /** Which of these seqs of a batch the contract's per-payout bitmap marks paid (confirmed chain). */
    async paidSeqs(disbursement: Contract, batch: string, seqs: number[]): Promise<Set<number>> {
      const blockTag = await safeBlock();
      const words = new Map<number, bigint>();
      for (const w of new Set(seqs.map((s) => s >> 8))) {
        words.set(w, BigInt(await disbursement.getFunction('paidWord')(batch, w, { blockTag })));
      }
      return new Set(seqs.filter((s) => ((words.get(s >> 8)! >> BigInt(s & 255)) & 1n) === 1n));
    },

    /** The ChunkPaid events of a batch since the contract was deployed, in bounded pages. */
    async batchChunks(disbursement: Contract, batch: string, fromBlock: number): Promise<EventLog[]> {
      return (await queryLogsPaged(chain.provider, disbursement, disbursement.filters.ChunkPaid!(batch), fromBlock)) as EventLog[];
    },

    /** Best effort: the custom error a mined transaction reverted with, replayed on the block before it. */
    async revertReason(hash: string): Promise<string | undefined> {
      try {
        const tx = await chain.provider.getTransaction(hash);
        if (!tx?.blockNumber) return undefined;
        await chain.provider.call({ to: tx.to, from: tx.from, data: tx.data, value: tx.value, blockTag: tx.blockNumber - 1 });
        return undefined;
      } catch (err) {
        const data = (err as { data?: string }).data;
        if (!data) return undefined;
        for (const iface of ERROR_INTERFACES) {
          try {
            return iface.parseError(data)?.name;
          } catch {
            // Not this contract's error.
          }
        }
        return undefined;
      }
    },
  };
}

const ERROR_INTERFACES = ['RahatDisbursement', 'RahatTreasury', 'RahatToken'].map(
  (name) => new Interface(loadArtifact(name as 'RahatToken').abi),
);

export type ChainVerdicts = ReturnType<typeof chainVerdicts>;
