import { blindIndex } from './blind-index';
import { KeyRing, type PiiKeySettings } from './key-ring';

/** The personal data of a beneficiary: only ever stored encrypted, shown masked by default. */
export interface PersonalData {
  name?: string;
  phone?: string;
  email?: string;
  nationalId?: string;
}

export const PERSONAL_FIELDS = ['name', 'phone', 'email', 'nationalId'] as const satisfies readonly (keyof PersonalData)[];

/** The one way personal data is encrypted, decrypted and indexed (docs/privacy.md). */
export interface PersonalDataVault {
  readonly keyRing: KeyRing;
  /** One ciphertext for all fields, bound to the beneficiary id so it cannot be moved to another row. */
  seal(beneficiaryId: string, data: PersonalData): string;
  open(beneficiaryId: string, ciphertext: string): PersonalData;
  /** Blind index of an already normalised (E.164) phone number. */
  phoneIndex(phone: string): string;
}

const aad = (beneficiaryId: string) => `beneficiary:${beneficiaryId}`;

export function createVault(settings: PiiKeySettings): PersonalDataVault {
  const keyRing = KeyRing.fromSettings(settings);
  const indexKey = Buffer.from(settings.blindIndexKey, 'base64');
  return {
    keyRing,
    seal: (beneficiaryId, data) => keyRing.sealText(JSON.stringify(data), aad(beneficiaryId)),
    open: (beneficiaryId, ciphertext) => JSON.parse(keyRing.openText(ciphertext, aad(beneficiaryId))) as PersonalData,
    phoneIndex: (phone) => blindIndex(indexKey, 'phone', phone),
  };
}
