import { createHash, createHmac } from 'node:crypto';

/**
 * How a project derives beneficiary ids, recorded on its row (projects.id_derivation) and never
 * changed: ids, and the wallet addresses derived from them, must stay what they were.
 * 1: sha256 of (project, external id): anyone with a list of national ids can recompute it, so
 * it is kept only for projects that existed before keyed ids. 2: HMAC-SHA256 under
 * ID_DERIVATION_KEY, which is never rotated for the same reason (docs/privacy.md).
 */
export const ID_DERIVATION = { legacySha256: 1, hmacSha256: 2 } as const;

/** Everything that derives the ids of one project. */
export interface IdScheme {
  projectId: string;
  /** The project's recorded version (ID_DERIVATION). */
  derivation: number;
  /** ID_DERIVATION_KEY; unused by version 1. */
  key: string;
}

export function idSchemeOf(project: { id: string; idDerivation: number }, key: string): IdScheme {
  return { projectId: project.id, derivation: project.idDerivation, key };
}

/**
 * Deterministic ids from business keys: the same person registered twice in a project gets
 * the same beneficiary id and therefore the same workflow id. Never used inside workflows.
 */
export function beneficiaryIdFor(scheme: IdScheme, externalId: string): string {
  const input = `beneficiary\u0000${scheme.projectId}\u0000${externalId}`;
  switch (scheme.derivation) {
    case ID_DERIVATION.legacySha256:
      return uuidFromDigest(createHash('sha256').update(input).digest());
    case ID_DERIVATION.hmacSha256:
      return uuidFromDigest(createHmac('sha256', scheme.key).update(input).digest());
    default:
      throw new Error(`project ${scheme.projectId} records id derivation ${scheme.derivation}, which this version does not know`);
  }
}

/** RFC 9562 layout, version 8 (custom), from the first 16 bytes of a digest: a valid UUID column value. */
export function uuidFromDigest(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
