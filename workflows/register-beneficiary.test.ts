import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../common/errors';
import { workflowIds } from '../common/workflow-ids';
import { createWorkflowEnv, mockActivities, type ActivityMocks, type WorkflowEnv } from '../tests/support/workflow-env';
import type { RegisterBeneficiaryInput, RegisterBeneficiaryResult, registerBeneficiaryWorkflow } from './register-beneficiary';

const WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TX = `0x${'ab'.repeat(32)}`;
let env: WorkflowEnv;

beforeAll(async () => {
  env = await createWorkflowEnv(require.resolve('./index'));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const newInput = (): RegisterBeneficiaryInput => ({ beneficiaryId: randomUUID(), projectId: 'wf-test' });

/** Every step succeeds and the wallet needs deploying, unless a test overrides it. */
function happyActivities(): ActivityMocks {
  const a = mockActivities();
  a.storeBeneficiary.mockResolvedValue({ projectId: 'wf-test', walletAddress: null });
  a.createWallet.mockResolvedValue({ address: WALLET, kind: 'SMART' });
  a.prepareWalletDeployment.mockResolvedValue({ txId: 'tx-1' });
  a.broadcastChainTx.mockResolvedValue({});
  a.awaitChainTx.mockResolvedValue({ kind: 'mined', hash: TX, blockNumber: 7, succeeded: true, gasUsed: '90000', cancelled: false });
  a.confirmWalletDeployment.mockResolvedValue({ deployed: true });
  a.activateBeneficiary.mockResolvedValue();
  a.failBeneficiary.mockResolvedValue();
  return a;
}

function register(a: ActivityMocks, input: RegisterBeneficiaryInput): Promise<RegisterBeneficiaryResult> {
  return env.withWorker(a, (taskQueue) =>
    env.client.workflow.execute<typeof registerBeneficiaryWorkflow>('registerBeneficiaryWorkflow', {
      taskQueue,
      workflowId: workflowIds.registration(input.beneficiaryId),
      args: [input],
    }),
  );
}

async function failureOf(promise: Promise<unknown>): Promise<WorkflowFailedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

describe('registerBeneficiaryWorkflow', () => {
  it('When every step succeeds, Then it stores, plans the wallet, deploys it, confirms, activates and returns the address', async () => {
    const a = happyActivities();
    const input = newInput();
    const { beneficiaryId } = input;

    const result = await register(a, input);

    expect(result).toEqual({ beneficiaryId, walletAddress: WALLET });
    expect(a.storeBeneficiary).toHaveBeenCalledWith({ beneficiaryId });
    expect(a.createWallet).toHaveBeenCalledWith({ beneficiaryId, externalAddress: null });
    expect(a.broadcastChainTx).toHaveBeenCalledWith({ txId: 'tx-1' });
    expect(a.confirmWalletDeployment).toHaveBeenCalledWith({
      beneficiaryId,
      outcome: expect.objectContaining({ kind: 'mined', hash: TX }),
    });
    const steps = [
      a.storeBeneficiary,
      a.createWallet,
      a.prepareWalletDeployment,
      a.awaitChainTx,
      a.confirmWalletDeployment,
      a.activateBeneficiary,
    ];
    const order = steps.map((m) => m.mock.invocationCallOrder[0]);
    expect(order).toEqual([...order].sort((x, y) => x! - y!));
    expect(a.failBeneficiary).not.toHaveBeenCalled();
  });

  it('When the person brought their own address, Then the wallet is that address and no transaction is sent', async () => {
    const a = happyActivities();
    a.storeBeneficiary.mockResolvedValue({ projectId: 'wf-test', walletAddress: WALLET });
    a.createWallet.mockResolvedValue({ address: WALLET, kind: 'EXTERNAL' });
    a.prepareWalletDeployment.mockResolvedValue({ skipped: true });
    const input = newInput();

    await register(a, input);

    expect(a.createWallet).toHaveBeenCalledWith({ beneficiaryId: input.beneficiaryId, externalAddress: WALLET });
    expect(a.broadcastChainTx).not.toHaveBeenCalled();
    expect(a.confirmWalletDeployment).toHaveBeenCalledWith({ beneficiaryId: input.beneficiaryId, outcome: { kind: 'none' } });
    expect(a.activateBeneficiary).toHaveBeenCalledTimes(1);
  });

  it('When the wallet deployment fails for good, Then the beneficiary is compensated with the typed reason and never activated', async () => {
    const a = happyActivities();
    a.confirmWalletDeployment.mockRejectedValue(
      ApplicationFailure.nonRetryable(`wallet deployment ${TX} reverted`, ErrorType.TransactionReverted),
    );
    const input = newInput();

    const err = await failureOf(register(a, input));

    expect((err.cause as ActivityFailure).cause).toMatchObject({ type: ErrorType.TransactionReverted });
    expect(a.failBeneficiary).toHaveBeenCalledTimes(1);
    expect(a.failBeneficiary).toHaveBeenCalledWith({
      beneficiaryId: input.beneficiaryId,
      reason: `TransactionReverted: wallet deployment ${TX} reverted`,
    });
    expect(a.activateBeneficiary).not.toHaveBeenCalled();
  });

  it('When the wallet address belongs to someone else, Then the workflow fails DuplicateBeneficiary and compensates', async () => {
    const a = happyActivities();
    a.createWallet.mockRejectedValue(ApplicationFailure.nonRetryable('walletAddress is already used', ErrorType.DuplicateBeneficiary));
    const input = newInput();

    const err = await failureOf(register(a, input));

    expect(err.cause).toBeInstanceOf(ActivityFailure);
    expect((err.cause as ActivityFailure).cause).toMatchObject({
      type: ErrorType.DuplicateBeneficiary,
      message: 'walletAddress is already used',
    });
    expect(a.failBeneficiary).toHaveBeenCalledWith({
      beneficiaryId: input.beneficiaryId,
      reason: 'DuplicateBeneficiary: walletAddress is already used',
    });
    expect(a.prepareWalletDeployment).not.toHaveBeenCalled();
  });

  it('When the project does not exist, Then the workflow fails without compensation since nothing was stored', async () => {
    const a = happyActivities();
    a.storeBeneficiary.mockRejectedValue(ApplicationFailure.nonRetryable('project nope does not exist', ErrorType.ProjectNotFound));

    const err = await failureOf(register(a, newInput()));

    expect((err.cause as ActivityFailure).cause).toMatchObject({ type: ErrorType.ProjectNotFound });
    expect(a.storeBeneficiary).toHaveBeenCalledTimes(1);
    expect(a.failBeneficiary).not.toHaveBeenCalled();
    expect(a.createWallet).not.toHaveBeenCalled();
  });

  it('When storing fails transiently twice, Then it is retried and the registration completes', async () => {
    const a = happyActivities();
    a.storeBeneficiary
      .mockRejectedValueOnce(new Error('connection terminated'))
      .mockRejectedValueOnce(new Error('connection terminated'))
      .mockResolvedValue({ projectId: 'wf-test', walletAddress: null });
    const input = newInput();

    const result = await register(a, input);

    expect(result.walletAddress).toBe(WALLET);
    expect(a.storeBeneficiary).toHaveBeenCalledTimes(3);
    expect(a.activateBeneficiary).toHaveBeenCalledTimes(1);
    expect(a.failBeneficiary).not.toHaveBeenCalled();
  }, 20_000);
});
