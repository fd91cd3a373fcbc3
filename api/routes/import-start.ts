import type { Request } from 'express';
import type { Prisma, PrismaClient } from '../../common/db';
import type { ImportWorkflowInput } from '../../common/import-workflow';
import { startImportWorkflowWith } from '../../common/workflow-starts';
import { workflowIds } from '../../common/workflow-ids';
import type { ApiDeps } from '../deps';
import { keyReused } from '../idempotency';

type Import = Prisma.BeneficiaryImportModel;

/**
 * Starts the import workflow (findable in the Web UI by ProjectId and ImportId), or joins it
 * while it runs; one that has closed is never run again (the refused start is harmless).
 */
export async function startImportWorkflow(deps: ApiDeps, req: Request, input: ImportWorkflowInput): Promise<void> {
  await startImportWorkflowWith(deps.temporal.client.workflow, deps.taskQueue, input, req.id);
}

/** The 202 body of a started import, and where to poll; a resumed import answers exactly this again. */
export function importAccepted(input: ImportWorkflowInput, staged?: { total: number; invalid: number }) {
  const self = `/v1/imports/${input.importId}`;
  return {
    id: input.importId,
    status: input.fromPartner ? 'RECEIVING' : 'VALIDATING',
    workflowId: workflowIds.beneficiaryImport(input.importId),
    ...(staged ? { rows: staged.total, invalidRows: staged.invalid } : {}),
    links: { self, errors: `${self}/errors` },
  };
}

/**
 * The import a retry of this request made before, if any. Import ids are derived from the
 * Idempotency-Key (or random), so one made by another request means the key was reused: 422,
 * unless that import is in one of the `replaceable` statuses.
 */
export async function importOfRequest(
  prisma: PrismaClient,
  id: string,
  fingerprint: string,
  replaceable: string[] = [],
): Promise<Import | undefined> {
  const found = await prisma.beneficiaryImport.findUnique({ where: { id } });
  if (found && found.requestFingerprint !== fingerprint && !replaceable.includes(found.status)) throw keyReused();
  return found ?? undefined;
}

/** The workflow input of a stored import. */
export const inputOf = (imp: Import): ImportWorkflowInput => ({
  importId: imp.id,
  projectId: imp.projectId,
  dryRun: imp.dryRun,
  deployWallets: imp.deployWallets,
  fromPartner: imp.source.startsWith('partner:'),
});
