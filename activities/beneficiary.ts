import { ErrorType } from '../common/errors';
import type { ActivityDeps } from './deps';
import { permanent } from './failures';

export interface StoreBeneficiaryInput {
  beneficiaryId: string;
  projectId: string;
  externalId: string;
}

export function beneficiaryActivities({ prisma }: ActivityDeps) {
  return {
    /** Idempotent: a retry or a second registration of the same person finds the same row. */
    async storeBeneficiary(input: StoreBeneficiaryInput): Promise<{ status: string }> {
      const project = await prisma.project.findUnique({ where: { id: input.projectId } });
      if (!project) throw permanent(ErrorType.ProjectNotFound, `project ${input.projectId} does not exist`);
      const row = await prisma.beneficiary.upsert({
        where: { projectId_externalId: { projectId: input.projectId, externalId: input.externalId } },
        create: { id: input.beneficiaryId, projectId: input.projectId, externalId: input.externalId },
        update: {},
      });
      return { status: row.status };
    },

    async activateBeneficiary({ beneficiaryId }: { beneficiaryId: string }): Promise<void> {
      await prisma.beneficiary.update({ where: { id: beneficiaryId }, data: { status: 'ACTIVE', failureReason: null } });
    },

    /** Compensation: the row stays, marked FAILED with the reason, and no wallet is left behind. */
    async failBeneficiary({ beneficiaryId, reason }: { beneficiaryId: string; reason: string }): Promise<void> {
      await prisma.$transaction([
        prisma.wallet.deleteMany({ where: { beneficiaryId } }),
        prisma.beneficiary.updateMany({ where: { id: beneficiaryId }, data: { status: 'FAILED', failureReason: reason.slice(0, 500) } }),
      ]);
    },
  };
}
