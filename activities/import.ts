import { Context } from '@temporalio/activity';
import { ErrorType } from '../common/errors';
import { idSchemeOf } from '../common/ids';
import type { TxSender } from './chain/tx-sender';
import type { ActivityDeps } from './deps';
import { permanent } from './failures';
import { enrolChunk, type ChunkResult } from './import-enrolment';
import { ImportRejected } from './import-parsers';
import { PARTNER_CLIENT, partnerRecords } from './import-partner';
import { stageRecords } from './import-staging';
import { countRows, flagDuplicates, type ImportCounts } from './import-validation';
import { importWalletDeployment, WALLETS_PER_DEPLOY_TX } from './import-wallets';
import type { WalletFactoryAccess } from './wallet';

export type { ChunkResult, ImportCounts };
export type ImportOutcome = 'VALIDATED' | 'COMPLETED' | 'CANCELLED';

/** The steps of importBeneficiariesWorkflow; every one is keyed by the import id and idempotent. */
export function importActivities(deps: ActivityDeps, sender: TxSender, access: WalletFactoryAccess) {
  const { prisma, vault, config, chain, outbound } = deps;
  const load = (importId: string) => prisma.beneficiaryImport.findUniqueOrThrow({ where: { id: importId } });

  return {
    /** Pulls the partner feed into staging, heartbeating the last page whose rows are all stored. */
    async stagePartnerImport({ importId }: { importId: string }): Promise<void> {
      const imp = await load(importId);
      const name = imp.source.replace(/^partner:/, '');
      const registry = config.partners[name];
      if (!registry) throw permanent(ErrorType.ImportRejected, `no partner registry named ${name} is configured (IMPORT_PARTNERS)`);
      const ctx = Context.current();
      const resume = ctx.info.heartbeatDetails as { url: string; rowNumber: number } | undefined;
      let resumeAt = resume;
      const pages: { url: string | null; rowNumber: number }[] = [];
      const client = outbound.get(`partner:${name}`, PARTNER_CLIENT);
      const records = partnerRecords(registry, client, resume ?? { rowNumber: 0 }, (position) => pages.push(position));
      const ids = idSchemeOf(await prisma.project.findUniqueOrThrow({ where: { id: imp.projectId } }), config.idDerivationKey);
      try {
        await stageRecords({ prisma, vault }, { importId, ids, dryRun: imp.dryRun }, records, {
          afterBatch: (stored) => {
            // Resume after the last page whose rows are all stored; a page read twice is skipped by row number.
            while (pages[0] && pages[0].rowNumber <= stored) {
              const page = pages.shift()!;
              if (page.url) resumeAt = { url: page.url, rowNumber: page.rowNumber };
            }
            ctx.heartbeat(resumeAt);
          },
        });
      } catch (err) {
        if (err instanceof ImportRejected) throw permanent(ErrorType.ImportRejected, err.message);
        throw err;
      }
    },

    /** Flags duplicates, counts the rows and says how the rest is cut into chunks and deployment parts. */
    async validateImport({ importId }: { importId: string }): Promise<ImportCounts & { chunks: number; partsPerChunk: number }> {
      const imp = await load(importId);
      await flagDuplicates(prisma, importId, imp.projectId);
      const counts = await countRows(prisma, importId);
      await prisma.beneficiaryImport.update({
        where: { id: importId },
        data: {
          totalRows: counts.total,
          invalidRows: counts.invalid,
          duplicateRows: counts.duplicate,
          status: imp.dryRun ? 'VALIDATING' : 'ENROLLING',
        },
      });
      const lastRow = (await prisma.importRow.aggregate({ where: { importId }, _max: { rowNumber: true } }))._max.rowNumber ?? 0;
      return { ...counts, chunks: Math.ceil(lastRow / imp.chunkSize), partsPerChunk: Math.ceil(imp.chunkSize / WALLETS_PER_DEPLOY_TX) };
    },

    async enrolImportChunk({ importId, chunk }: { importId: string; chunk: number }): Promise<ChunkResult> {
      return enrolChunk(prisma, await access.planner(), await load(importId), chunk);
    },

    ...importWalletDeployment(prisma, sender, access, () => chain.addresses.walletFactory),

    async markImportDeploying({ importId }: { importId: string }): Promise<void> {
      await prisma.beneficiaryImport.updateMany({ where: { id: importId, status: 'ENROLLING' }, data: { status: 'DEPLOYING_WALLETS' } });
    },

    /** Final status; rows never enrolled (cancelled) lose their staged personal data. */
    async finishImport({ importId, outcome }: { importId: string; outcome: ImportOutcome }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        // A dry run's valid rows stay STAGED (they never held personal data) for the report.
        const { count } =
          outcome === 'VALIDATED'
            ? { count: 0 }
            : await tx.importRow.updateMany({ where: { importId, status: 'STAGED' }, data: { status: 'CANCELLED', personal: null } });
        await tx.beneficiaryImport.update({
          where: { id: importId },
          data: { status: outcome, finishedAt: new Date(), ...(count ? { cancelledRows: { increment: count } } : {}) },
        });
      });
    },

    async failImport({ importId, reason }: { importId: string; reason: string }): Promise<void> {
      await prisma.$transaction([
        prisma.importRow.updateMany({ where: { importId, status: 'STAGED' }, data: { personal: null } }),
        prisma.beneficiaryImport.update({
          where: { id: importId },
          data: { status: 'FAILED', failureReason: reason.slice(0, 500), finishedAt: new Date() },
        }),
      ]);
    },
  };
}
