import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../common/errors';
import { workflowIds } from '../common/workflow-ids';
import { createWorkflowEnv, mockActivities, type ActivityMocks, type WorkflowEnv } from '../tests/support/workflow-env';
import type { RegisterBeneficiaryInput, RegisterBeneficiaryResult, registerBeneficiaryWorkflow } from './register-beneficiary';

const WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
let env: WorkflowEnv;

beforeAll(async () => {
  env = await createWorkflowEnv(require.resolve('./index'));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

function newInput(): RegisterBeneficiaryInput {
  return { beneficiaryId: randomUUID(), projectId: 'wf-test', externalId: `ext-${randomUUID()}` };
}

/** Every step succeeds unless a test overrides it. */
function happyActivities(): ActivityMocks {
  const a = mockActivities();
  a.storeBeneficiary.mockResolvedValue({ status: 'PENDING' });
  a.createWallet.mockResolvedValue({ address: WALLET });
  a.storeWallet.mockResolvedValue();
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
  it('When every step succeeds, Then it stores, creates and stores a wallet, activates, and returns the address', async () => {
    const a = happyActivities();
    const input = newInput();
    const { beneficiaryId } = input;

    const result = await register(a, input);

    expect(result).toEqual({ beneficiaryId, walletAddress: WALLET });
    expect(a.storeBeneficiary).toHaveBeenCalledWith(input);
    expect(a.createWallet).toHaveBeenCalledWith({ beneficiaryId });
    expect(a.storeWallet).toHaveBeenCalledWith({ beneficiaryId, address: WALLET });
    expect(a.activateBeneficiary).toHaveBeenCalledWith({ beneficiaryId });
    const order = [a.storeBeneficiary, a.createWallet, a.storeWallet, a.activateBeneficiary].map((m) => m.mock.invocationCallOrder[0]);
    expect(order).toEqual([...order].sort((x, y) => x! - y!));
    expect(a.failBeneficiary).not.toHaveBeenCalled();
  });

  it('When wallet creation fails for good, Then the workflow fails and the beneficiary is compensated with the reason', async () => {
    const a = happyActivities();
    a.createWallet.mockRejectedValue(ApplicationFailure.nonRetryable('boom', ErrorType.InvalidAddress));
    const input = newInput();

    const err = await failureOf(register(a, input));

    expect(err.cause).toBeInstanceOf(ActivityFailure);
    expect((err.cause as ActivityFailure).cause).toMatchObject({ type: ErrorType.InvalidAddress, message: 'boom' });
    expect(a.createWallet).toHaveBeenCalledTimes(1);
    expect(a.failBeneficiary).toHaveBeenCalledTimes(1);
    expect(a.failBeneficiary).toHaveBeenCalledWith({ beneficiaryId: input.beneficiaryId, reason: 'InvalidAddress: boom' });
    expect(a.storeWallet).not.toHaveBeenCalled();
    expect(a.activateBeneficiary).not.toHaveBeenCalled();
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

  it('When storing the wallet fails transiently twice, Then it is retried and the registration completes', async () => {
    const a = happyActivities();
    a.storeWallet
      .mockRejectedValueOnce(new Error('connection terminated'))
      .mockRejectedValueOnce(new Error('connection terminated'))
      .mockResolvedValue();
    const input = newInput();

    const result = await register(a, input);

    expect(result).toEqual({ beneficiaryId: input.beneficiaryId, walletAddress: WALLET });
    expect(a.storeWallet).toHaveBeenCalledTimes(3);
    expect(a.activateBeneficiary).toHaveBeenCalledTimes(1);
    expect(a.failBeneficiary).not.toHaveBeenCalled();
  }, 20_000);
});
