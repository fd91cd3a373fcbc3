import type { JsonRpcProvider } from 'ethers';

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

const GWEI = 1_000_000_000n;

/** EIP-1559 fees with headroom for two full blocks of base-fee growth. */
export async function currentFees(provider: JsonRpcProvider): Promise<Fees> {
  const block = await provider.getBlock('latest');
  const base = block?.baseFeePerGas ?? GWEI;
  const priority = GWEI;
  return { maxFeePerGas: base * 2n + priority, maxPriorityFeePerGas: priority };
}

/** A replacement must raise both fees by at least 10% (geth, anvil); 25% gets it mined. */
export function bumped(fees: Fees, floor?: Fees): Fees {
  const up = (v: bigint) => (v * 125n) / 100n + 1n;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  return {
    maxFeePerGas: max(up(fees.maxFeePerGas), floor?.maxFeePerGas ?? 0n),
    maxPriorityFeePerGas: max(up(fees.maxPriorityFeePerGas), floor?.maxPriorityFeePerGas ?? 0n),
  };
}
