import type { Profile } from '../common/beneficiary-input';
import type { StagedBeneficiary } from '../common/beneficiary-staging';
import { ErrorType } from '../common/errors';
import { recordEvent } from '../common/outbox';
import { findConflicts, insertBeneficiaries } from './beneficiary-rows';
import type { ActivityDeps } from './deps';
import { permanent } from './failures';

/** Steps of a single registration; personal data reaches them through the encrypted draft only. */
export function beneficiaryActivities({ prisma }: ActivityDeps) {
  const dropDraft = (beneficiaryId: string) => prisma.beneficiaryDraft.deleteMany({ where: { beneficiaryId } });

  return {
    /**
     * Moves the draft the API staged into beneficiaries (PENDING) with its personal data.
     * Idempotent: a retry after the commit finds the row and no draft. A person already
     * ACTIVE stays as first registered; a PENDING or FAILED one is registered anew.
     */
    async storeBeneficiary({ beneficiaryId }: { beneficiaryId: string }): Promise<{ projectId: string; walletAddress: string | null }> {
      const draft = await prisma.beneficiaryDraft.findUnique({ where: { beneficiaryId } });
      const existing = await prisma.beneficiary.findUnique({ where: { id: beneficiaryId }, include: { wallet: true } });
      if (!draft) {
        if (existing)
          return { projectId: existing.projectId, walletAddress: existing.wallet?.kind === 'EXTERNAL' ? existing.wallet.address : null };
        throw permanent(ErrorType.BeneficiaryNotFound, `no registration is staged for beneficiary ${beneficiaryId}`);
      }
      const staged: StagedBeneficiary = {
        beneficiaryId,
        externalId: draft.externalId,
        phoneIndex: draft.phoneIndex,
        walletAddress: draft.walletAddress,
        profile: draft.profile as Profile,
        personal: draft.personal,
      };
      if (existing?.status === 'ACTIVE') {
        await dropDraft(beneficiaryId);
        return { projectId: existing.projectId, walletAddress: existing.wallet?.kind === 'EXTERNAL' ? existing.wallet.address : null };
      }
      if (!(await prisma.project.findUnique({ where: { id: draft.projectId } }))) {
        await dropDraft(beneficiaryId);
        throw permanent(ErrorType.ProjectNotFound, `project ${draft.projectId} does not exist`);
      }
      const conflict = (await findConflicts(prisma, draft.projectId, [staged], { checkId: false })).get(beneficiaryId);
      if (conflict) {
        await dropDraft(beneficiaryId);
        throw permanent(ErrorType.DuplicateBeneficiary, `${conflict.field} of beneficiary ${beneficiaryId}: ${conflict.message}`);
      }
      await prisma.$transaction(async (tx) => {
        // A PENDING or FAILED registration of the same person is registered anew in place (its
        // payouts keep pointing at it); a wallet row a PENDING one left is planned again.
        await tx.wallet.deleteMany({ where: { beneficiaryId, beneficiary: { status: { not: 'ACTIVE' } } } });
        await insertBeneficiaries(tx, draft.projectId, [staged], { status: 'PENDING', importId: null });
        await tx.beneficiaryDraft.delete({ where: { beneficiaryId } });
      });
      return { projectId: draft.projectId, walletAddress: draft.walletAddress };
    },

    /** Records beneficiary.created once, in the transaction that activates. */
    async activateBeneficiary({ beneficiaryId }: { beneficiaryId: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.beneficiary.updateMany({
          where: { id: beneficiaryId, status: { not: 'ACTIVE' } },
          data: { status: 'ACTIVE', failureReason: null },
        });
        await tx.beneficiaryDraft.deleteMany({ where: { beneficiaryId } });
        if (count === 0) return;
        const b = await tx.beneficiary.findUniqueOrThrow({ where: { id: beneficiaryId }, include: { wallet: true } });
        await recordEvent(tx, {
          type: 'beneficiary.created',
          aggregateId: beneficiaryId,
          projectId: b.projectId,
          data: { walletAddress: b.wallet?.address ?? null, importId: null },
        });
      });
    },

    /** Compensation: the row stays, FAILED with the reason; no wallet row and no draft are left behind. */
    async failBeneficiary({ beneficiaryId, reason }: { beneficiaryId: string; reason: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        await tx.beneficiaryDraft.deleteMany({ where: { beneficiaryId } });
        const b = await tx.beneficiary.findUnique({ where: { id: beneficiaryId } });
        // Activation is the last step: an ACTIVE beneficiary is never compensated.
        if (!b || b.status === 'ACTIVE') return;
        await tx.wallet.deleteMany({ where: { beneficiaryId } });
        if (b.status === 'FAILED') return;
        await tx.beneficiary.update({ where: { id: beneficiaryId }, data: { status: 'FAILED', failureReason: reason.slice(0, 500) } });
        // The failure type only: messages are for operators, events leave the system.
        await recordEvent(tx, {
          type: 'beneficiary.failed',
          aggregateId: beneficiaryId,
          projectId: b.projectId,
          data: { reason: reason.split(':')[0]! },
        });
      });
    },
  };
}
