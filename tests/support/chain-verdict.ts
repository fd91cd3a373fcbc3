import { Contract, getAddress, type JsonRpcProvider } from 'ethers';
import { loadArtifact } from '../../contracts/artifacts';

export interface TransferSeen {
  to: string;
  amount: bigint;
  txHash: string;
  blockNumber: number;
}

/**
 * What the chain itself says was paid: the token's Transfer events to these addresses (from
 * any sender), read in bounded pages. Tests judge money by this, never by the database alone.
 */
export async function transfersTo(provider: JsonRpcProvider, token: string, addresses: string[], fromBlock = 0): Promise<TransferSeen[]> {
  const contract = new Contract(token, loadArtifact('RahatToken').abi, provider);
  const wanted = new Set(addresses.map((a) => getAddress(a)));
  const head = await provider.getBlockNumber();
  const seen: TransferSeen[] = [];
  for (let from = fromBlock; from <= head; from += 2000) {
    const logs = await contract.queryFilter(contract.filters.Transfer!(), from, Math.min(head, from + 1999));
    for (const log of logs) {
      const args = (log as unknown as { args: { to: string; value: bigint } }).args;
      if (wanted.has(getAddress(args.to))) {
        seen.push({ to: getAddress(args.to), amount: args.value, txHash: log.transactionHash, blockNumber: log.blockNumber });
      }
    }
  }
  return seen;
}

/** Each address paid exactly `amount` exactly once (or, with `amount` 0n, never paid). */
export function expectEachPaidOnce(seen: TransferSeen[], addresses: string[], amount: bigint): void {
  const byTo = new Map<string, TransferSeen[]>();
  for (const t of seen) byTo.set(t.to, [...(byTo.get(t.to) ?? []), t]);
  const wrong = addresses
    .map((a) => getAddress(a))
    .map((a) => ({ address: a, paid: (byTo.get(a) ?? []).map((t) => t.amount.toString()) }))
    .filter((x) => (amount === 0n ? x.paid.length !== 0 : x.paid.length !== 1 || x.paid[0] !== amount.toString()));
  expect(wrong).toEqual([]);
}
