import { id as keccakId } from 'ethers';

export { batchKey } from '../../contracts/disbursement-codec';

/** On-chain keys of off-chain ids: the contracts refuse to pay (or apply) the same key twice. */
export const payoutRef = (payoutId: string) => keccakId(`distribution:${payoutId}`);
export const chunkKey = (batchId: string, round: number, seq: number) => keccakId(`chunk:${batchId}:${round}:${seq}`);
export const fundRef = (batchId: string, round: number) => keccakId(`fund:${batchId}:${round}`);
export const returnRef = (batchId: string, round: number) => keccakId(`return:${batchId}:${round}`);
/** The treasury's allowance and the disbursement contract are per project. */
export const projectKey = (projectId: string) => keccakId(`project:${projectId}`);
export const treasuryOpRef = (operationId: string) => keccakId(`treasury-op:${operationId}`);
