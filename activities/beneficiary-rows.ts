import type { FieldError } from '../common/beneficiary-input';
import type { StagedBeneficiary } from '../common/beneficiary-staging';
import type { Prisma } from '../common/db';

/**
 * Set-based writes shared by single registration (one row) and bulk enrolment (a chunk):
 * one statement per table whatever the number of rows, inside the caller's transaction.
 */

type Tx = Prisma.TransactionClient;

export const DUPLICATE = {
  person: 'already registered in this project',
  phone: 'already registered to another beneficiary in this project',
  wallet: 'already used by another beneficiary',
} as const;

/** Rows that would break a uniqueness rule, with the field to blame; `checkId` also flags an existing id. */
export async function findConflicts(
  tx: Tx,
  projectId: string,
  rows: Pick<StagedBeneficiary, 'beneficiaryId' | 'externalId' | 'phoneIndex' | 'walletAddress'>[],
  opts: { checkId: boolean },
): Promise<Map<string, FieldError>> {
  if (rows.length === 0) return new Map();
  // Joins on the unique keys, not a subquery per row: one pass whatever the number of rows.
  const found = await tx.$queryRaw<{ id: string; field: keyof typeof MESSAGES | null }[]>`
    SELECT u.id, CASE
      WHEN ${opts.checkId} AND b1.id IS NOT NULL AND b1.status <> 'FAILED' THEN 'externalId'
      WHEN b2.id IS NOT NULL THEN 'externalId'
      WHEN p.beneficiary_id IS NOT NULL THEN 'phone'
      WHEN w.beneficiary_id IS NOT NULL THEN 'walletAddress'
    END AS field
    FROM unnest(${rows.map((r) => r.beneficiaryId)}::uuid[], ${rows.map((r) => r.externalId)}::text[],
                ${rows.map((r) => r.phoneIndex)}::text[], ${rows.map((r) => r.walletAddress)}::text[]) AS u(id, ext, phone, wallet)
    LEFT JOIN beneficiaries b1 ON b1.id = u.id
    LEFT JOIN beneficiaries b2 ON b2.project_id = ${projectId} AND b2.external_id = u.ext AND b2.id <> u.id
    LEFT JOIN beneficiary_personal p ON p.project_id = ${projectId} AND p.phone_index = u.phone AND p.beneficiary_id <> u.id
    LEFT JOIN wallets w ON w.address = u.wallet AND w.beneficiary_id <> u.id`;
  return new Map(found.flatMap((f) => (f.field ? [[f.id, { field: f.field, message: MESSAGES[f.field] }] as const] : [])));
}

const MESSAGES = { externalId: DUPLICATE.person, phone: DUPLICATE.phone, walletAddress: DUPLICATE.wallet } as const;

/**
 * Inserts beneficiaries with their sealed personal data; returns the ids actually written. A
 * row of the same id whose registration FAILED is registered anew in place, so its payout
 * history and group memberships stay attached to it; so is a PENDING one, by a single
 * registration only (an import never takes over a registration in flight). Any other row is
 * left as it is and not returned.
 */
export async function insertBeneficiaries(
  tx: Tx,
  projectId: string,
  rows: StagedBeneficiary[],
  opts: { status: 'PENDING' | 'ACTIVE'; importId: string | null },
): Promise<string[]> {
  if (rows.length === 0) return [];
  const col = <T>(pick: (r: StagedBeneficiary) => T) => rows.map(pick);
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO beneficiaries (id, project_id, external_id, status, gender, birth_date, age_range, location,
                               banked_status, internet_status, phone_status, extras, import_id, updated_at)
    SELECT u.id::uuid, ${projectId}, u.ext, ${opts.status}::"BeneficiaryStatus", u.gender::"Gender", u.birth::date, u.age, u.loc,
           u.banked::"BankedStatus", u.internet::"InternetStatus", u.phone::"PhoneStatus", u.extras::jsonb, ${opts.importId}::uuid, now()
    FROM unnest(${col((r) => r.beneficiaryId)}::text[], ${col((r) => r.externalId)}::text[], ${col((r) => r.profile.gender ?? null)}::text[],
                ${col((r) => r.profile.birthDate ?? null)}::text[], ${col((r) => r.profile.ageRange ?? null)}::text[],
                ${col((r) => r.profile.location ?? null)}::text[], ${col((r) => r.profile.bankedStatus ?? null)}::text[],
                ${col((r) => r.profile.internetStatus ?? null)}::text[], ${col((r) => r.profile.phoneStatus ?? null)}::text[],
                ${col((r) => (r.profile.extras ? JSON.stringify(r.profile.extras) : null))}::text[])
         AS u(id, ext, gender, birth, age, loc, banked, internet, phone, extras)
    ON CONFLICT (id) DO UPDATE SET external_id = EXCLUDED.external_id, status = EXCLUDED.status, failure_reason = NULL,
      gender = EXCLUDED.gender, birth_date = EXCLUDED.birth_date, age_range = EXCLUDED.age_range, location = EXCLUDED.location,
      banked_status = EXCLUDED.banked_status, internet_status = EXCLUDED.internet_status, phone_status = EXCLUDED.phone_status,
      extras = EXCLUDED.extras, import_id = EXCLUDED.import_id, updated_at = now()
      WHERE beneficiaries.project_id = EXCLUDED.project_id
        AND (beneficiaries.status = 'FAILED' OR (beneficiaries.status = 'PENDING' AND EXCLUDED.status = 'PENDING'))
    RETURNING id::text`;
  const ids = new Set(inserted.map((r) => r.id));
  // What a replaced registration held goes with it, whether or not the new one has personal data.
  await tx.$executeRaw`DELETE FROM beneficiary_personal WHERE beneficiary_id = ANY(${[...ids]}::uuid[])`;
  const personal = rows.filter((r) => ids.has(r.beneficiaryId) && r.personal !== null);
  if (personal.length > 0) {
    await tx.$executeRaw`
      INSERT INTO beneficiary_personal (beneficiary_id, project_id, ciphertext, phone_index)
      SELECT u.id::uuid, ${projectId}, u.ct, u.phone
      FROM unnest(${personal.map((r) => r.beneficiaryId)}::text[], ${personal.map((r) => r.personal)}::text[],
                  ${personal.map((r) => r.phoneIndex)}::text[]) AS u(id, ct, phone)`;
  }
  return [...ids];
}

export interface WalletRow {
  beneficiaryId: string;
  address: string;
  kind: 'SMART' | 'EXTERNAL';
}

/** Inserts wallets (id = beneficiary id); an existing one is kept. Returns those inserted. */
export async function insertWallets(tx: Tx, wallets: WalletRow[]): Promise<WalletRow[]> {
  if (wallets.length === 0) return [];
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO wallets (id, beneficiary_id, address, kind)
    SELECT u.id::uuid, u.id::uuid, u.address, u.kind::"WalletKind"
    FROM unnest(${wallets.map((w) => w.beneficiaryId)}::text[], ${wallets.map((w) => w.address)}::text[], ${wallets.map((w) => w.kind)}::text[])
         AS u(id, address, kind)
    ON CONFLICT DO NOTHING
    RETURNING id::text`;
  const ids = new Set(inserted.map((r) => r.id));
  return wallets.filter((w) => ids.has(w.beneficiaryId));
}
