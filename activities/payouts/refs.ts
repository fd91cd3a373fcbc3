import { id as keccakId } from 'ethers';

/** On-chain keys of off-chain ids: the contracts refuse to pay the same key twice. */
export const payoutRef = (payoutId: string) => keccakId(`distribution:${payoutId}`);
export const chunkKey = (batchId: string, round: number, seq: number) => keccakId(`chunk:${batchId}:${round}:${seq}`);
export const fundRef = (batchId: string, round: number) => keccakId(`fund:${batchId}:${round}`);
