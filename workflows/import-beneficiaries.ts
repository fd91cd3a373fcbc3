import {
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CANCEL_IMPORT_SIGNAL,
  IMPORT_PROGRESS_QUERY,
  type ImportPhase,
  type ImportProgress,
  type ImportWorkflowInput,
} from '../common/import-workflow';
import { defaultActivityOptions } from './activity-options';
import { failureReason } from './saga';
import { sendTx } from './send-tx';

export type { ImportProgress, ImportWorkflowInput };
export const importProgressQuery = defineQuery<ImportProgress>(IMPORT_PROGRESS_QUERY);
export const cancelImportSignal = defineSignal(CANCEL_IMPORT_SIGNAL);

const retry = defaultActivityOptions.retry;
const act = proxyActivities<Activities>(defaultActivityOptions);
// A chunk is one transaction of up to IMPORT_CHUNK_SIZE rows; a partner pull takes as long as the feed.
const heavy = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', retry });
const pull = proxyActivities<Activities>({ startToCloseTimeout: '6 hours', heartbeatTimeout: '2 minutes', retry });

/** Chunks enrolled at once: the database, not the workflow, is the limit. */
const PARALLEL_CHUNKS = 2;

interface State {
  phase: ImportPhase;
  chunks: number;
  partsPerChunk: number;
  next: number;
  cancelRequested: boolean;
  progress: Omit<ImportProgress, 'phase' | 'remaining' | 'cancelRequested'>;
}

/**
 * A bulk import, rows already staged in Postgres (or pulled here from a partner registry):
 * validate and dedupe → enrol chunk by chunk → deploy smart wallets in batches. The history
 * holds chunk numbers and counts only, and the run continues as new when it grows long.
 */
export async function importBeneficiariesWorkflow(input: ImportWorkflowInput, carried?: State): Promise<ImportProgress> {
  const { importId } = input;
  const s: State = carried ?? {
    phase: input.fromPartner ? 'staging' : 'validating',
    chunks: 0,
    partsPerChunk: 0,
    next: 0,
    cancelRequested: false,
    progress: { total: 0, valid: 0, invalid: 0, duplicate: 0, enrolled: 0, failed: 0, walletsDeployed: 0 },
  };
  const report = (): ImportProgress => ({
    phase: s.phase,
    ...s.progress,
    remaining: Math.max(0, s.progress.valid - s.progress.enrolled - s.progress.failed),
    cancelRequested: s.cancelRequested,
  });
  setHandler(importProgressQuery, report);
  setHandler(cancelImportSignal, () => void (s.cancelRequested = true));
  const finish = async (outcome: 'VALIDATED' | 'COMPLETED' | 'CANCELLED') => {
    await act.finishImport({ importId, outcome });
    s.phase = 'finished';
    return report();
  };

  try {
    if (s.phase === 'staging') {
      await pull.stagePartnerImport({ importId });
      s.phase = 'validating';
    }
    if (s.phase === 'validating') {
      const { chunks, partsPerChunk, ...counts } = await heavy.validateImport({ importId });
      Object.assign(s, { chunks, partsPerChunk, next: 0 });
      Object.assign(s.progress, counts);
      if (input.dryRun) return await finish('VALIDATED');
      s.phase = 'enrolling';
    }
    while (s.phase === 'enrolling') {
      if (s.cancelRequested) return await finish('CANCELLED');
      if (s.next >= s.chunks) {
        s.phase = input.deployWallets ? 'deploying-wallets' : 'finished';
        s.next = 0;
        if (input.deployWallets) await act.markImportDeploying({ importId });
        break;
      }
      const batch = Array.from({ length: Math.min(PARALLEL_CHUNKS, s.chunks - s.next) }, (_, i) => s.next + i);
      for (const r of await Promise.all(batch.map((chunk) => heavy.enrolImportChunk({ importId, chunk })))) {
        s.progress.enrolled += r.enrolled;
        s.progress.failed += r.failed;
      }
      s.next += batch.length;
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof importBeneficiariesWorkflow>(input, s);
    }
    while (s.phase === 'deploying-wallets') {
      if (s.cancelRequested) return await finish('CANCELLED');
      if (s.next >= s.chunks) break;
      for (let part = 0; part < s.partsPerChunk; part++) {
        const where = { importId, chunk: s.next, part };
        const sent = await sendTx(() => act.prepareImportWalletDeployment(where));
        const outcome = sent.kind === 'paid' ? ({ kind: 'none' } as const) : sent;
        s.progress.walletsDeployed += (await act.confirmImportWalletDeployment({ ...where, outcome })).deployed;
      }
      s.next += 1;
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof importBeneficiariesWorkflow>(input, s);
    }
    return await finish('COMPLETED');
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => act.finishImport({ importId, outcome: 'CANCELLED' }));
      throw err;
    }
    await act.failImport({ importId, reason: failureReason(err) });
    throw err;
  }
}
