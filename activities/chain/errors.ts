import { isError } from 'ethers';

/**
 * The one place where chain errors are classified. Activities turn `permanent` kinds into
 * non-retryable failures and let Temporal retry the rest.
 */
export type ChainErrorKind =
  'nonce-too-low' | 'replacement-underpriced' | 'insufficient-funds' | 'reverted' | 'network' | 'timeout' | 'unknown';

export interface ClassifiedChainError {
  kind: ChainErrorKind;
  permanent: boolean;
  /** Decoded revert reason or custom error name, when the node gave one. */
  reason?: string;
  message: string;
}

export function classifyChainError(err: unknown): ClassifiedChainError {
  const message = err instanceof Error ? err.message : String(err);
  const lower = message.toLowerCase();
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
  if (isError(err, 'REPLACEMENT_UNDERPRICED') || lower.includes('underpriced')) {
    return { kind: 'replacement-underpriced', permanent: false, message };
  }
  if (isError(err, 'TIMEOUT')) return { kind: 'timeout', permanent: false, message };
  if (isError(err, 'NETWORK_ERROR') || isError(err, 'SERVER_ERROR') || /econnrefused|econnreset|socket hang up|fetch failed/.test(lower)) {
    return { kind: 'network', permanent: false, message };
  }
  return { kind: 'unknown', permanent: false, message };
}
