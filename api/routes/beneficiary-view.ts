import type { PersonalData, PersonalDataVault } from '../../common/crypto/vault';

/**
 * How a beneficiary is shown. Personal data is masked unless a route that requires
 * beneficiaries:read-personal asks for it in clear: enough to recognise a person on a call
 * ("S*** S***", "+977*******67"), not enough to reach or identify them.
 */

const stars = (n: number) => '*'.repeat(Math.max(3, n));

export function maskPersonal(p: PersonalData): PersonalData {
  const masked: PersonalData = {};
  if (p.name)
    masked.name = p.name
      .split(/\s+/)
      .map((w) => `${w.slice(0, 1)}${stars(w.length - 1)}`)
      .join(' ');
  if (p.phone) masked.phone = `${p.phone.slice(0, 4)}${stars(p.phone.length - 6)}${p.phone.slice(-2)}`;
  if (p.email) {
    const [local = '', domain = ''] = p.email.split('@');
    const dot = domain.lastIndexOf('.');
    masked.email = `${local.slice(0, 1)}${stars(local.length - 1)}@${domain.slice(0, 1)}${stars(dot - 1)}${dot > 0 ? domain.slice(dot) : ''}`;
  }
  if (p.nationalId) masked.nationalId = `${stars(p.nationalId.length - 3)}${p.nationalId.slice(-3)}`;
  return masked;
}

export interface BeneficiaryRowView {
  id: string;
  projectId: string;
  externalId: string | null;
  status: string;
  failureReason: string | null;
  gender: string | null;
  birthDate: Date | null;
  ageRange: string | null;
  location: string | null;
  bankedStatus: string | null;
  internetStatus: string | null;
  phoneStatus: string | null;
  extras: unknown;
  importId: string | null;
  createdAt: Date;
  updatedAt: Date;
  wallet: { address: string; kind: string; deployedAt: Date | null; deployTxHash: string | null } | null;
  personal: { ciphertext: string } | null;
}

/** Relations every view needs; pass to Prisma's `include`. */
export const VIEW_INCLUDE = { wallet: true, personal: { select: { ciphertext: true } } } as const;

const orUndefined = <T>(v: T | null) => v ?? undefined;

export function present(b: BeneficiaryRowView, vault: PersonalDataVault, opts: { reveal?: boolean } = {}) {
  const personal = b.personal ? vault.open(b.id, b.personal.ciphertext) : {};
  return {
    id: b.id,
    projectId: b.projectId,
    externalId: orUndefined(b.externalId),
    status: b.status,
    failureReason: orUndefined(b.failureReason),
    personal: opts.reveal ? personal : maskPersonal(personal),
    personalMasked: !opts.reveal,
    profile: {
      gender: orUndefined(b.gender),
      birthDate: b.birthDate?.toISOString().slice(0, 10),
      ageRange: orUndefined(b.ageRange),
      location: orUndefined(b.location),
      bankedStatus: orUndefined(b.bankedStatus),
      internetStatus: orUndefined(b.internetStatus),
      phoneStatus: orUndefined(b.phoneStatus),
      extras: orUndefined(b.extras),
    },
    walletAddress: b.wallet?.address,
    wallet: b.wallet
      ? {
          address: b.wallet.address,
          kind: b.wallet.kind,
          deployed: b.wallet.deployedAt !== null,
          deployTxHash: orUndefined(b.wallet.deployTxHash),
        }
      : undefined,
    importId: orUndefined(b.importId),
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  };
}
