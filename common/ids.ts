import { createHash } from 'node:crypto';

/**
 * Deterministic ids from business keys: the same person registered twice in a project gets
 * the same beneficiary id and therefore the same workflow id. Never used inside workflows.
 */
export function beneficiaryIdFor(projectId: string, externalId: string): string {
  return uuidFromDigest(createHash('sha256').update(`beneficiary\u0000${projectId}\u0000${externalId}`).digest());
}

/** RFC 9562 layout, version 8 (custom), from the first 16 bytes of a digest: a valid UUID column value. */
export function uuidFromDigest(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
