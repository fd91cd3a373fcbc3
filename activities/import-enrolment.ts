import type { Profile } from '../common/beneficiary-input';
import type { StagedBeneficiary } from '../common/beneficiary-staging';
import type { PrismaClient } from '../common/db';
import { findConflicts, insertBeneficiaries, insertWallets, type WalletRow } from './beneficiary-rows';
import type { WalletPlanner } from './wallet-derivation';

export interface ChunkResult {
  enrolled: number;
  failed: number;
}

/**
 * Enrols the staged rows of one chunk (row numbers chunk·size+1 … (chunk+1)·size) in one
 * transaction: beneficiaries ACTIVE with their wallet address, group membership, outbox
 * events, rows marked ENROLLED with their personal data cleared from staging. A key taken
 * since validation fails that row only. Idempotent: a retry finds no STAGED rows left.
 */
export async function enrolChunk(
  prisma: PrismaClient,
  planner: WalletPlanner,
  imp: { id: string; projectId: string; groupId: string | null; chunkSize: number },
  chunk: number,
): Promise<ChunkResult> {
  const rows = await prisma.importRow.findMany({
    where: { importId: imp.id, status: 'STAGED', rowNumber: { gt: chunk * imp.chunkSize, lte: (chunk + 1) * imp.chunkSize } },
    orderBy: { rowNumber: 'asc' },
  });
  if (rows.length === 0) return { enrolled: 0, failed: 0 };
  const staged: (StagedBeneficiary & { rowNumber: number })[] = rows.map((r) => ({
    rowNumber: r.rowNumber,
    beneficiaryId: r.beneficiaryId!,
    externalId: r.externalId,
    phoneIndex: r.phoneIndex,
    walletAddress: r.walletAddress,
    profile: (r.profile ?? {}) as Profile,
    personal: r.personal,
  }));
  const wallets = new Map<string, WalletRow>(
    staged.map((s) => [
      s.beneficiaryId,
      s.walletAddress
        ? { beneficiaryId: s.beneficiaryId, address: s.walletAddress, kind: 'EXTERNAL' }
        : { beneficiaryId: s.beneficiaryId, address: planner.plan(s.beneficiaryId).address, kind: 'SMART' },
    ]),
  );
  return prisma.$transaction(
    async (tx) => {
      const conflicts = await findConflicts(tx, imp.projectId, staged, { checkId: true });
      const ok = staged.filter((s) => !conflicts.has(s.beneficiaryId));
      const inserted = await insertBeneficiaries(tx, imp.projectId, ok, { status: 'ACTIVE', importId: imp.id });
      const insertedWallets = await insertWallets(
        tx,
        ok.map((s) => wallets.get(s.beneficiaryId)!),
      );
      // Only a registration racing this transaction gets here; the retry's check sees it.
      if (inserted.length !== ok.length || insertedWallets.length !== ok.length) throw new Error('a key was taken concurrently; retrying');
      const ids = ok.map((s) => s.beneficiaryId);
      if (imp.groupId) {
        await tx.$executeRaw`INSERT INTO group_members (group_id, beneficiary_id) SELECT ${imp.groupId}::uuid, unnest(${ids}::text[])::uuid ON CONFLICT DO NOTHING`;
      }
      // The bulk form of recordEvent (common/outbox.ts): one statement for the chunk, ids only.
      const events = ok.flatMap((s) => {
        const w = wallets.get(s.beneficiaryId)!;
        return [
          ['wallet.created', s.beneficiaryId, JSON.stringify({ address: w.address, kind: w.kind })],
          ['beneficiary.created', s.beneficiaryId, JSON.stringify({ walletAddress: w.address, importId: imp.id })],
        ];
      });
      await tx.$executeRaw`INSERT INTO outbox_events (id, type, aggregate_id, project_id, data)
        SELECT gen_random_uuid(), u.type, u.aggregate, ${imp.projectId}, u.data::jsonb
        FROM unnest(${events.map((e) => e[0])}::text[], ${events.map((e) => e[1])}::text[], ${events.map((e) => e[2])}::text[]) AS u(type, aggregate, data)`;
      await tx.$executeRaw`UPDATE import_rows SET status = 'ENROLLED', personal = NULL
        WHERE import_id = ${imp.id}::uuid AND row_number = ANY(${ok.map((s) => s.rowNumber)}::int[])`;
      const failed = staged.filter((s) => conflicts.has(s.beneficiaryId));
      if (failed.length > 0) {
        await tx.$executeRaw`UPDATE import_rows r SET status = 'FAILED', personal = NULL,
            errors = jsonb_build_array(jsonb_build_object('field', u.field, 'message', u.message))
          FROM unnest(${failed.map((s) => s.rowNumber)}::int[], ${failed.map((s) => conflicts.get(s.beneficiaryId)!.field)}::text[],
                      ${failed.map((s) => conflicts.get(s.beneficiaryId)!.message)}::text[]) AS u(n, field, message)
          WHERE r.import_id = ${imp.id}::uuid AND r.row_number = u.n`;
      }
      await tx.beneficiaryImport.update({
        where: { id: imp.id },
        data: { enrolledRows: { increment: ok.length }, failedRows: { increment: failed.length } },
      });
      return { enrolled: ok.length, failed: failed.length };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
