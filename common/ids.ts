import { createHash } from 'node:crypto';

/**
 * Deterministic ids from business keys: the same person registered twice in a project gets
 * the same beneficiary id and therefore the same workflow id. Never used inside workflows.
 */
export function beneficiaryIdFor(projectId: string, externalId: string): string {
  const h = createHash('sha256').update(`beneficiary\u0000${projectId}\u0000${externalId}`).digest();
  // RFC 9562 layout with version 8 (custom) so it is a valid UUID column value.
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
