import type { JsonRpcProvider } from 'ethers';

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

const GWEI = 1_000_000_000n;
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** EIP-1559 fees with headroom for two full blocks of base-fee growth, never above `ceiling`. */
export async function currentFees(provider: JsonRpcProvider, ceiling?: bigint): Promise<Fees> {
  const block = await provider.getBlock('latest');
  const base = block?.baseFeePerGas ?? GWEI;
  const fees = { maxFeePerGas: base * 2n + GWEI, maxPriorityFeePerGas: GWEI };
  return ceiling === undefined ? fees : capped(fees, ceiling);
}

/** Neither fee above the ceiling, and the tip never above the fee cap. */
export function capped(fees: Fees, ceiling: bigint): Fees {
  const maxFeePerGas = min(fees.maxFeePerGas, ceiling);
  return { maxFeePerGas, maxPriorityFeePerGas: min(fees.maxPriorityFeePerGas, maxFeePerGas) };
}

/**
 * A replacement must raise both fees by at least 10% (geth, anvil); 25% gets it mined. With a
 * ceiling the result may not be a valid replacement: see `isReplacement`.
 */
export function bumped(fees: Fees, floor?: Fees, ceiling?: bigint): Fees {
  const up = (v: bigint) => (v * 125n) / 100n + 1n;
  const next = {
    maxFeePerGas: max(up(fees.maxFeePerGas), floor?.maxFeePerGas ?? 0n),
    maxPriorityFeePerGas: max(up(fees.maxPriorityFeePerGas), floor?.maxPriorityFeePerGas ?? 0n),
  };
  return ceiling === undefined ? next : capped(next, ceiling);
}

/** Whether a node accepts `next` in place of `current` at the same nonce (both fees +10%). */
export function isReplacement(current: Fees, next: Fees): boolean {
  const enough = (a: bigint, b: bigint) => b * 100n >= a * 110n && b > a;
  return enough(current.maxFeePerGas, next.maxFeePerGas) && enough(current.maxPriorityFeePerGas, next.maxPriorityFeePerGas);
}
