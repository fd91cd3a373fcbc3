import type { WorkflowClient } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db';
import { startBatchRoundWorkflow, startImportWorkflowWith } from '../common/workflow-starts';

/** Work older than this that still waits for its workflow is started by the sweep. */
export const ORPHAN_AFTER_MS = 60_000;

export interface OrphanStarts {
  client: WorkflowClient;
  taskQueue: string;
  batchConcurrency: number;
}

/**
 * The reconciler for work the API wrote but could not start (Temporal down at that moment,
 * the API killed between commit and start) and that no retry came back for: a batch round still
 * CREATED, an import still VALIDATING (staged upload) or RECEIVING (partner pull). Starting is
 * idempotent by business-key workflow id: running ones are joined, closed ones never re-run.
 */
export function orphanActivities({ prisma, logger }: { prisma: PrismaClient; logger: Logger }, starts: OrphanStarts | undefined) {
  return {
    async startOrphanedWork(): Promise<{ batches: number; imports: number }> {
      if (!starts) return { batches: 0, imports: 0 };
      const before = new Date(Date.now() - ORPHAN_AFTER_MS);
      const batches = await prisma.distributionBatch.findMany({ where: { status: 'CREATED', updatedAt: { lt: before } }, take: 100 });
      for (const b of batches) {
        await startBatchRoundWorkflow(starts.client, {
          taskQueue: starts.taskQueue,
          batchId: b.id,
          projectId: b.projectId,
          round: b.round,
          concurrency: starts.batchConcurrency,
        });
      }
      const imports = await prisma.beneficiaryImport.findMany({
        where: {
          updatedAt: { lt: before },
          OR: [{ status: 'VALIDATING' }, { status: 'RECEIVING', source: { startsWith: 'partner:' } }],
        },
        take: 100,
      });
      for (const i of imports) {
        await startImportWorkflowWith(starts.client, starts.taskQueue, {
          importId: i.id,
          projectId: i.projectId,
          dryRun: i.dryRun,
          deployWallets: i.deployWallets,
          fromPartner: i.source.startsWith('partner:'),
        });
      }
      if (batches.length || imports.length)
        logger.info({ batches: batches.length, imports: imports.length }, 'started work that was waiting for its workflow');
      return { batches: batches.length, imports: imports.length };
    },
  };
}
