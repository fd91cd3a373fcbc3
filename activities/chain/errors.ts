import { isError } from 'ethers';

/**
 * The one place where chain errors are classified. Activities turn `permanent` kinds into
 * non-retryable failures and let Temporal retry the rest.
 */
export type ChainErrorKind =
  | 'nonce-too-low'
  | 'already-known'
  | 'replacement-underpriced'
  /** Fees under the block's base fee or the node's minimum: a higher-priced version is needed. */
  | 'fee-too-low'
  /** The node will never accept this transaction (more gas than a block holds, too large). */
  | 'refused'
  | 'insufficient-funds'
  | 'reverted'
  | 'network'
  | 'timeout'
  | 'unknown';

export interface ClassifiedChainError {
  kind: ChainErrorKind;
  permanent: boolean;
  /** Decoded revert reason or custom error name, when the node gave one; for `refused`, the node's words. */
  reason?: string;
  message: string;
}

const REFUSED = [
  'intrinsic gas too high',
  'exceeds block gas limit',
  'gas limit reached',
  'block gas limit',
  'gas_limit > env.block.gas_limit',
  'oversized data',
  'transaction size',
  'tx too large',
];
const FEE_TOO_LOW = [
  'less than block base fee',
  'transaction underpriced',
  'below minimum',
  'fee too low',
  'gas price too low',
  'tip too low',
];

/** The node's own words, from ethers' wrapper or a plain JSON-RPC error. */
function nodeMessage(err: unknown): string {
  const inner = (err as { error?: { message?: unknown }; info?: { error?: { message?: unknown } } }) ?? {};
  const m = inner.error?.message ?? inner.info?.error?.message;
  return typeof m === 'string' ? m : '';
}

export function classifyChainError(err: unknown): ClassifiedChainError {
  const message = err instanceof Error ? err.message : String(err);
  const node = nodeMessage(err);
  const lower = `${message} ${node}`.toLowerCase();
  if (isError(err, 'CALL_EXCEPTION')) {
    const reason = err.revert?.name ?? err.reason ?? undefined;
    return { kind: 'reverted', permanent: true, reason: reason ?? undefined, message };
  }
  if (isError(err, 'INSUFFICIENT_FUNDS') || lower.includes('insufficient funds')) {
    return { kind: 'insufficient-funds', permanent: false, message };
  }
  if (isError(err, 'NONCE_EXPIRED') || lower.includes('nonce too low')) {
    return { kind: 'nonce-too-low', permanent: false, message };
  }
  if (lower.includes('already known') || lower.includes('already imported')) return { kind: 'already-known', permanent: false, message };
  if (
    isError(err, 'REPLACEMENT_UNDERPRICED') ||
    lower.includes('replacement transaction underpriced') ||
    lower.includes('replacement fee too low')
  ) {
    return { kind: 'replacement-underpriced', permanent: false, message };
  }
  const refused = REFUSED.find((r) => lower.includes(r));
  if (refused) return { kind: 'refused', permanent: true, reason: node || refused, message };
  if (FEE_TOO_LOW.some((r) => lower.includes(r)) || lower.includes('underpriced')) {
    return { kind: 'fee-too-low', permanent: false, reason: node || undefined, message };
  }
  if (isError(err, 'TIMEOUT')) return { kind: 'timeout', permanent: false, message };
  if (isError(err, 'NETWORK_ERROR') || isError(err, 'SERVER_ERROR') || /econnrefused|econnreset|socket hang up|fetch failed/.test(lower)) {
    return { kind: 'network', permanent: false, message };
  }
  return { kind: 'unknown', permanent: false, message };
}
