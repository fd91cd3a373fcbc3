import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../common/errors';
import type { ImportWorkflowInput } from '../common/import-workflow';
import { workflowIds } from '../common/workflow-ids';
import { createWorkflowEnv, mockActivities, type ActivityMocks, type WorkflowEnv } from '../tests/support/workflow-env';
import { cancelImportSignal, importProgressQuery, type importBeneficiariesWorkflow } from './import-beneficiaries';

const TX = `0x${'cd'.repeat(32)}`;
let env: WorkflowEnv;

beforeAll(async () => {
  env = await createWorkflowEnv(require.resolve('./index'));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const input = (over: Partial<ImportWorkflowInput> = {}): ImportWorkflowInput => ({
  importId: randomUUID(),
  projectId: 'wf-test',
  dryRun: false,
  deployWallets: true,
  fromPartner: false,
  ...over,
});

/** 25 rows: 3 invalid, 2 duplicates, 20 valid in 3 chunks; each chunk enrols what it gets. */
function activities(): ActivityMocks {
  const a = mockActivities();
  a.validateImport.mockResolvedValue({ total: 25, valid: 20, invalid: 3, duplicate: 2, chunks: 3, partsPerChunk: 2 });
  a.enrolImportChunk.mockImplementation(async ({ chunk }) => ({ enrolled: chunk === 2 ? 4 : 8, failed: 0 }));
  a.markImportDeploying.mockResolvedValue();
  // Part 0 of each chunk has wallets to deploy, part 1 has none left.
  a.prepareImportWalletDeployment.mockImplementation(async ({ part }) => (part === 0 ? { txId: 'tx' } : { skipped: true }));
  a.broadcastChainTx.mockResolvedValue({});
  a.awaitChainTx.mockResolvedValue({ kind: 'mined', hash: TX, blockNumber: 9, succeeded: true, gasUsed: '1', cancelled: false });
  a.confirmImportWalletDeployment.mockImplementation(async ({ chunk, outcome }) => ({
    deployed: outcome.kind === 'mined' ? (chunk === 2 ? 4 : 8) : 0,
  }));
  a.finishImport.mockResolvedValue();
  a.failImport.mockResolvedValue();
  a.stagePartnerImport.mockResolvedValue();
  return a;
}

const run = (a: ActivityMocks, i: ImportWorkflowInput) =>
  env.withWorker(a, (taskQueue) =>
    env.client.workflow.execute<typeof importBeneficiariesWorkflow>('importBeneficiariesWorkflow', {
      taskQueue,
      workflowId: workflowIds.beneficiaryImport(i.importId),
      args: [i],
    }),
  );

describe('importBeneficiariesWorkflow', () => {
  it('When an import runs, Then it validates, enrols every chunk, deploys each part with wallets, and completes with the counts', async () => {
    const a = activities();
    const i = input();

    const result = await run(a, i);

    expect(a.enrolImportChunk.mock.calls.map(([c]) => c.chunk).sort()).toEqual([0, 1, 2]);
    expect(a.prepareImportWalletDeployment).toHaveBeenCalledTimes(6);
    expect(a.broadcastChainTx).toHaveBeenCalledTimes(3);
    expect(a.finishImport).toHaveBeenCalledWith({ importId: i.importId, outcome: 'COMPLETED' });
    expect(result).toEqual({
      phase: 'finished',
      total: 25,
      valid: 20,
      invalid: 3,
      duplicate: 2,
      enrolled: 20,
      failed: 0,
      remaining: 0,
      walletsDeployed: 20,
      cancelRequested: false,
    });
  });

  it('When it is a dry run, Then it only validates and finishes VALIDATED', async () => {
    const a = activities();
    const i = input({ dryRun: true });

    const result = await run(a, i);

    expect(a.enrolImportChunk).not.toHaveBeenCalled();
    expect(a.finishImport).toHaveBeenCalledWith({ importId: i.importId, outcome: 'VALIDATED' });
    expect(result).toMatchObject({ phase: 'finished', valid: 20, enrolled: 0 });
  });

  it('When rows come from a partner, Then they are pulled before validation', async () => {
    const a = activities();

    await run(a, input({ fromPartner: true, deployWallets: false }));

    expect(a.stagePartnerImport.mock.invocationCallOrder[0]).toBeLessThan(a.validateImport.mock.invocationCallOrder[0]!);
    expect(a.prepareImportWalletDeployment).not.toHaveBeenCalled();
  });

  it('When cancelled while a chunk is enrolling, Then progress shows the request, that chunk finishes, no further chunk starts, and it ends CANCELLED', async () => {
    const a = activities();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    a.enrolImportChunk.mockImplementation(async () => {
      await gate;
      return { enrolled: 8, failed: 0 };
    });
    const i = input();

    const result = await env.withWorker(a, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof importBeneficiariesWorkflow>('importBeneficiariesWorkflow', {
        taskQueue,
        workflowId: workflowIds.beneficiaryImport(i.importId),
        args: [i],
      });
      while (a.enrolImportChunk.mock.calls.length === 0) await new Promise((r) => setTimeout(r, 50));
      expect(await handle.query(importProgressQuery)).toMatchObject({ phase: 'enrolling', valid: 20, enrolled: 0, remaining: 20 });
      await handle.signal(cancelImportSignal);
      expect(await handle.query(importProgressQuery)).toMatchObject({ cancelRequested: true });
      release();
      return handle.result();
    });

    expect(a.enrolImportChunk).toHaveBeenCalledTimes(2); // the two chunks in flight, not the third
    expect(a.finishImport).toHaveBeenCalledWith({ importId: i.importId, outcome: 'CANCELLED' });
    expect(a.prepareImportWalletDeployment).not.toHaveBeenCalled();
    expect(result).toMatchObject({ phase: 'finished', enrolled: 16, remaining: 4, cancelRequested: true });
  });

  it('When a step fails for good, Then the import is marked failed with the typed reason and the workflow fails', async () => {
    const a = activities();
    a.validateImport.mockRejectedValue(ApplicationFailure.nonRetryable('partner feed answered HTTP 401', ErrorType.ImportRejected));
    const i = input();

    const err = await run(a, i).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(a.failImport).toHaveBeenCalledWith({ importId: i.importId, reason: 'ImportRejected: partner feed answered HTTP 401' });
    expect(a.finishImport).not.toHaveBeenCalled();
  });
});
