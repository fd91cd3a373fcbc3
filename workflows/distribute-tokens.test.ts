import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../common/errors';
import { searchAttributeKeys } from '../common/search-attributes';
import { workflowIds } from '../common/workflow-ids';
import { createWorkflowEnv, mockActivities, type ActivityMocks, type WorkflowEnv } from '../tests/support/workflow-env';
import { distributionStepQuery, type DistributionInput, type DistributionStep, type distributeTokensWorkflow } from './distribute-tokens';

const TX = `0x${'ab'.repeat(32)}`;
const TX_ID = randomUUID();
const MINED = { kind: 'mined' as const, hash: TX, blockNumber: 17, succeeded: true, cancelled: false, gasUsed: '51000' };
let env: WorkflowEnv;

beforeAll(async () => {
  env = await createWorkflowEnv(require.resolve('./index'));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

function newInput(): DistributionInput {
  return { distributionId: randomUUID(), projectId: 'wf-test', beneficiaryId: randomUUID(), amount: '1000' };
}

function happyActivities(): ActivityMocks {
  const a = mockActivities();
  a.recordDistribution.mockResolvedValue();
  a.prepareDistributionTx.mockResolvedValue({ txId: TX_ID });
  a.broadcastChainTx.mockResolvedValue({});
  a.markDistributionSubmitted.mockResolvedValue();
  a.awaitChainTx.mockResolvedValue(MINED);
  a.settleDistribution.mockResolvedValue({ txHash: TX, blockNumber: 17 });
  a.markDistributionFailed.mockResolvedValue();
  return a;
}

interface Outcome {
  result?: Awaited<ReturnType<typeof distributeTokensWorkflow>>;
  error?: unknown;
  step: DistributionStep;
  status: string | undefined;
}

/** Starts the workflow as the API does, waits for it, then reads its query and search attribute. */
function distribute(a: ActivityMocks, input: DistributionInput): Promise<Outcome> {
  return env.withWorker(a, async (taskQueue) => {
    const handle: WorkflowHandle<typeof distributeTokensWorkflow> = await env.client.workflow.start<typeof distributeTokensWorkflow>(
      'distributeTokensWorkflow',
      {
        taskQueue,
        workflowId: workflowIds.distribution(input.distributionId),
        args: [input],
        typedSearchAttributes: [
          { key: searchAttributeKeys.projectId, value: input.projectId },
          { key: searchAttributeKeys.beneficiaryId, value: input.beneficiaryId },
          { key: searchAttributeKeys.distributionStatus, value: 'PENDING' },
        ],
      },
    );
    const outcome = await handle.result().then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    // Queries on a closed workflow still need a worker, so ask while this one runs.
    const step = await handle.query(distributionStepQuery);
    const status = (await handle.describe()).typedSearchAttributes.get(searchAttributeKeys.distributionStatus);
    return { ...outcome, step, status };
  });
}

describe('distributeTokensWorkflow', () => {
  it('When the release confirms, Then it records, prepares, broadcasts, waits and settles with tx and block, and ends CONFIRMED', async () => {
    const a = happyActivities();
    const input = newInput();
    const { distributionId } = input;

    const outcome = await distribute(a, input);

    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toEqual({ distributionId, txHash: TX, blockNumber: 17 });
    expect(a.recordDistribution).toHaveBeenCalledWith(input);
    expect(a.prepareDistributionTx).toHaveBeenCalledWith({ distributionId });
    expect(a.broadcastChainTx).toHaveBeenCalledWith({ txId: TX_ID });
    expect(a.awaitChainTx).toHaveBeenCalledWith({ txId: TX_ID });
    expect(a.settleDistribution).toHaveBeenCalledWith({ distributionId, outcome: MINED });
    const order = [
      a.recordDistribution,
      a.prepareDistributionTx,
      a.broadcastChainTx,
      a.markDistributionSubmitted,
      a.awaitChainTx,
      a.settleDistribution,
    ].map((m) => m.mock.invocationCallOrder[0]);
    expect(order).toEqual([...order].sort((x, y) => x! - y!));
    expect(a.markDistributionFailed).not.toHaveBeenCalled();
    expect(outcome.status).toBe('CONFIRMED');
    expect(outcome.step).toBe('confirmed');
  });

  it('When the transaction reverts, Then the distribution is marked failed with the reason, never confirmed, and ends FAILED', async () => {
    const a = happyActivities();
    a.settleDistribution.mockRejectedValue(ApplicationFailure.nonRetryable(`transaction ${TX} reverted`, ErrorType.TransactionReverted));
    const input = newInput();

    const outcome = await distribute(a, input);

    expect(outcome.error).toBeInstanceOf(WorkflowFailedError);
    expect(((outcome.error as WorkflowFailedError).cause as ActivityFailure).cause).toMatchObject({ type: ErrorType.TransactionReverted });
    expect(a.markDistributionFailed).toHaveBeenCalledTimes(1);
    const [{ distributionId, reason }] = a.markDistributionFailed.mock.calls[0]!;
    expect(distributionId).toBe(input.distributionId);
    expect(reason).toMatch(/^TransactionReverted: transaction 0x[0-9a-f]+ reverted$/);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.step).toBe('failed');
  });

  it('When broadcasting fails transiently once, Then it is retried and the distribution confirms', async () => {
    const a = happyActivities();
    a.broadcastChainTx.mockRejectedValueOnce(new Error('socket hang up')).mockResolvedValue({});
    const input = newInput();

    const outcome = await distribute(a, input);

    expect(outcome.result).toEqual({ distributionId: input.distributionId, txHash: TX, blockNumber: 17 });
    expect(a.broadcastChainTx).toHaveBeenCalledTimes(2);
    expect(a.prepareDistributionTx).toHaveBeenCalledTimes(1);
    expect(a.recordDistribution).toHaveBeenCalledTimes(1);
    expect(a.markDistributionFailed).not.toHaveBeenCalled();
    expect(outcome.status).toBe('CONFIRMED');
  }, 20_000);

  it('When the nonce was taken by another transaction, Then it prepares again and settles the new transaction', async () => {
    const a = happyActivities();
    a.awaitChainTx.mockResolvedValueOnce({ kind: 'dropped' }).mockResolvedValue(MINED);
    const input = newInput();

    const outcome = await distribute(a, input);

    expect(outcome.result).toEqual({ distributionId: input.distributionId, txHash: TX, blockNumber: 17 });
    expect(a.prepareDistributionTx).toHaveBeenCalledTimes(2);
    expect(a.settleDistribution).toHaveBeenCalledTimes(1);
  });
});
