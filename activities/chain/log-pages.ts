import type { Contract, JsonRpcProvider, Log } from 'ethers';

/** Blocks per eth_getLogs call to start with; hosted providers cap ranges (often 2,000–10,000). */
export const LOG_PAGE_BLOCKS = 2000;

const RANGE_REFUSED = /range|too many|limit|exceed|block range|10000|response size/i;

/**
 * A contract's logs from `fromBlock` (its recorded deployment block, never 0 by default) to the
 * head, in bounded pages. A page the provider refuses as too large is split in halves, so an
 * unknown provider cap costs a few retries, not a failure.
 */
export async function queryLogsPaged(
  provider: JsonRpcProvider,
  contract: Contract,
  filter: Parameters<Contract['queryFilter']>[0],
  fromBlock: number,
  toBlock?: number,
  pageBlocks = LOG_PAGE_BLOCKS,
): Promise<Log[]> {
  const end = toBlock ?? (await provider.getBlockNumber());
  const logs: Log[] = [];
  let size = pageBlocks;
  for (let from = fromBlock; from <= end;) {
    const to = Math.min(end, from + size - 1);
    try {
      logs.push(...((await contract.queryFilter(filter, from, to)) as Log[]));
      from = to + 1;
    } catch (err) {
      const text = `${(err as Error).message} ${JSON.stringify((err as { error?: unknown }).error ?? '')}`;
      if (size === 1 || !RANGE_REFUSED.test(text)) throw err;
      size = Math.max(1, Math.floor(size / 2));
    }
  }
  return logs;
}
