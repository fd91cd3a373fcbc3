import type { BeneficiaryRecord, Profile } from './beneficiary-input';
import type { PersonalDataVault } from './crypto/vault';
import { beneficiaryIdFor, type IdScheme } from './ids';

/** A validated beneficiary ready to be stored: personal data sealed, business key resolved. */
export interface StagedBeneficiary {
  beneficiaryId: string;
  externalId: string | null;
  phoneIndex: string | null;
  walletAddress: string | null;
  profile: Profile;
  /** Sealed personal data; null when there is none or for a dry run, which stores none. */
  personal: string | null;
}

/**
 * The beneficiary id is the business key: (project, externalId), or (project, phone) through
 * the blind index when there is no external id, so registering a person twice yields one id,
 * derived the way the project records (common/ids.ts). The \u0001 prefix cannot occur in an
 * external id, so the two kinds of key never collide.
 */
export function beneficiaryIdOf(ids: IdScheme, externalId: string | undefined, phoneIndex: string | null): string {
  if (externalId !== undefined) return beneficiaryIdFor(ids, externalId);
  if (!phoneIndex) throw new Error('a beneficiary needs an external id or a phone number');
  return beneficiaryIdFor(ids, `\u0001phone:${phoneIndex}`);
}

export function stage(
  vault: PersonalDataVault,
  ids: IdScheme,
  record: BeneficiaryRecord,
  opts: { dryRun?: boolean } = {},
): StagedBeneficiary {
  const phoneIndex = record.personal.phone ? vault.phoneIndex(record.personal.phone) : null;
  const beneficiaryId = beneficiaryIdOf(ids, record.externalId, phoneIndex);
  const hasPersonal = Object.keys(record.personal).length > 0;
  return {
    beneficiaryId,
    externalId: record.externalId ?? null,
    phoneIndex,
    walletAddress: record.walletAddress ?? null,
    profile: record.profile,
    personal: hasPersonal && !opts.dryRun ? vault.seal(beneficiaryId, record.personal) : null,
  };
}
