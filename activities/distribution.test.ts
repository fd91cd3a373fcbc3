import { ApplicationFailure } from '@temporalio/common';
import { makeError } from 'ethers';
import { ErrorType } from '../common/errors';
import type { ActivityDeps } from './deps';
import { distributionActivities, payoutRef } from './distribution';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const TREASURY = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const DIST = 'payout-1';
const LOGGED_TX = `0x${'a'.repeat(64)}`;
const KNOWN_TX = `0x${'b'.repeat(64)}`;
const NEW_TX = `0x${'c'.repeat(64)}`;

function callException(revertName: string) {
  return makeError('execution reverted', 'CALL_EXCEPTION', {
    action: 'call',
    data: '0xe450d38c',
    reason: null,
    transaction: { to: TREASURY, data: '0x' },
    invocation: null,
    revert: { name: revertName, signature: `${revertName}()`, args: [] },
  });
}

/** Plain-object fakes of prisma and the chain, with every call recorded. */
function fakes(opts: { released?: boolean; rowTxHash?: string | null; knownTx?: boolean } = {}) {
  const released = jest.fn(async (_ref: string) => opts.released ?? false);
  const release = Object.assign(jest.fn(), {
    staticCall: jest.fn(async (..._args: unknown[]) => undefined),
    send: jest.fn(async (..._args: unknown[]) => ({ hash: NEW_TX })),
  });
  const treasury = {
    getFunction: jest.fn((name: string) => (name === 'released' ? released : release)),
    filters: { Released: jest.fn((ref: string) => ({ topics: ['Released', ref] })) },
    queryFilter: jest.fn(async () => [{ transactionHash: LOGGED_TX, blockNumber: 42 }]),
  };
  const provider = { getTransaction: jest.fn(async (hash: string) => (opts.knownTx ? { hash } : null)) };
  const signer = { reset: jest.fn() };
  const chain = { treasury, provider, signer, addresses: { token: TOKEN, treasury: TREASURY, forwarder: TREASURY }, exclusive: <T>(fn: () => Promise<T>) => fn() };
  const prisma = {
    beneficiary: { findUnique: jest.fn() },
    distribution: {
      upsert: jest.fn().mockResolvedValue({}),
      findUniqueOrThrow: jest.fn(async () => ({ id: DIST, txHash: opts.rowTxHash ?? null })),
      update: jest.fn().mockResolvedValue({}),
      updateMany: jest.fn().mockResolvedValue({ count: 1 }),
    },
  };
  const deps = {
    prisma,
    chain,
    logger: { info: jest.fn(), warn: jest.fn(), error: jest.fn() },
    config: { walletMasterSecret: 'x'.repeat(32), confirmations: 1 },
  } as unknown as ActivityDeps;
  return { deps, prisma, treasury, released, release, provider, signer, activities: distributionActivities(deps) };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('submitRelease', () => {
  const input = { distributionId: DIST, to: TO, amount: '1000' };

  it('When the ref is already released on chain, Then it returns the logged tx hash and sends nothing', async () => {
    const f = fakes({ released: true });

    const result = await f.activities.submitRelease(input);

    expect(result).toEqual({ txHash: LOGGED_TX });
    expect(f.released).toHaveBeenCalledWith(payoutRef(DIST));
    expect(f.treasury.filters.Released).toHaveBeenCalledWith(payoutRef(DIST));
    expect(f.release.staticCall).not.toHaveBeenCalled();
    expect(f.release.send).not.toHaveBeenCalled();
  });

  it('When released is true but the event is not indexed yet, Then it fails with a retryable error and sends nothing', async () => {
    const f = fakes({ released: true });
    f.treasury.queryFilter.mockResolvedValueOnce([]);

    const err = await f.activities.submitRelease(input).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(f.release.send).not.toHaveBeenCalled();
  });

  it('When not released but the stored tx hash is known to the node, Then it returns that hash without sending', async () => {
    const f = fakes({ released: false, rowTxHash: KNOWN_TX, knownTx: true });

    const result = await f.activities.submitRelease(input);

    expect(result).toEqual({ txHash: KNOWN_TX });
    expect(f.provider.getTransaction).toHaveBeenCalledWith(KNOWN_TX);
    expect(f.release.send).not.toHaveBeenCalled();
  });

  it('When the stored tx hash was dropped by the node, Then a new release is sent and recorded as SUBMITTED', async () => {
    const f = fakes({ released: false, rowTxHash: KNOWN_TX, knownTx: false });

    const result = await f.activities.submitRelease(input);

    expect(result).toEqual({ txHash: NEW_TX });
    expect(f.release.send).toHaveBeenCalledWith(TOKEN, TO, 1000n, payoutRef(DIST));
    expect(f.prisma.distribution.update).toHaveBeenCalledWith({ where: { id: DIST }, data: { txHash: NEW_TX, status: 'SUBMITTED' } });
  });

  it('When the treasury lacks tokens, Then it throws non-retryable InsufficientFunds and sends nothing', async () => {
    const f = fakes();
    f.release.staticCall.mockRejectedValueOnce(callException('ERC20InsufficientBalance'));

    const failure = await failureOf(f.activities.submitRelease(input));

    expect(failure.type).toBe(ErrorType.InsufficientFunds);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('ERC20InsufficientBalance');
    expect(f.release.send).not.toHaveBeenCalled();
    expect(f.prisma.distribution.update).not.toHaveBeenCalled();
  });

  it('When the release would revert for another reason, Then it throws non-retryable TransactionReverted and sends nothing', async () => {
    const f = fakes();
    f.release.staticCall.mockRejectedValueOnce(callException('AlreadyReleased'));

    const failure = await failureOf(f.activities.submitRelease(input));

    expect(failure.type).toBe(ErrorType.TransactionReverted);
    expect(failure.nonRetryable).toBe(true);
    expect(f.release.send).not.toHaveBeenCalled();
  });

  it('When the simulation fails on the network, Then the error is rethrown as is for a retry', async () => {
    const f = fakes();
    const network = makeError('network down', 'NETWORK_ERROR', { event: 'noNetwork' });
    f.release.staticCall.mockRejectedValueOnce(network);

    await expect(f.activities.submitRelease(input)).rejects.toBe(network);
    expect(f.release.send).not.toHaveBeenCalled();
  });

  it('When the send fails with nonce too low, Then the signer nonce is reset and the error rethrown for a retry', async () => {
    const f = fakes();
    f.release.send.mockRejectedValueOnce(new Error('nonce too low'));

    await expect(f.activities.submitRelease(input)).rejects.toThrow('nonce too low');
    expect(f.signer.reset).toHaveBeenCalledTimes(1);
    expect(f.prisma.distribution.update).not.toHaveBeenCalled();
  });
});

describe('recordDistribution', () => {
  const input = { distributionId: DIST, projectId: 'el-2026', beneficiaryId: '5d1b7a0e-3c2f-8a41-9b6d-0f2e4c6a8b10', amount: '1000' };
  const beneficiary = (over: Record<string, unknown>) => ({ id: input.beneficiaryId, projectId: 'el-2026', status: 'ACTIVE', wallet: { address: TO }, ...over });

  it('When the beneficiary belongs to another project, Then it throws BeneficiaryNotFound and records nothing', async () => {
    const f = fakes();
    f.prisma.beneficiary.findUnique.mockResolvedValueOnce(beneficiary({ projectId: 'other-project' }));

    const failure = await failureOf(f.activities.recordDistribution(input));

    expect(failure.type).toBe(ErrorType.BeneficiaryNotFound);
    expect(failure.nonRetryable).toBe(true);
    expect(f.prisma.distribution.upsert).not.toHaveBeenCalled();
  });

  it('When the beneficiary does not exist, Then it throws BeneficiaryNotFound', async () => {
    const f = fakes();
    f.prisma.beneficiary.findUnique.mockResolvedValueOnce(null);

    expect((await failureOf(f.activities.recordDistribution(input))).type).toBe(ErrorType.BeneficiaryNotFound);
  });

  it('When the beneficiary is not ACTIVE, Then it throws BeneficiaryNotActive and records nothing', async () => {
    const f = fakes();
    f.prisma.beneficiary.findUnique.mockResolvedValueOnce(beneficiary({ status: 'FAILED', wallet: null }));

    const failure = await failureOf(f.activities.recordDistribution(input));

    expect(failure.type).toBe(ErrorType.BeneficiaryNotActive);
    expect(f.prisma.distribution.upsert).not.toHaveBeenCalled();
  });

  it('When the beneficiary is active, Then a PENDING row is upserted without overwriting and the wallet is returned', async () => {
    const f = fakes();
    f.prisma.beneficiary.findUnique.mockResolvedValueOnce(beneficiary({}));

    const result = await f.activities.recordDistribution(input);

    expect(result).toEqual({ to: TO });
    expect(f.prisma.distribution.upsert).toHaveBeenCalledWith({
      where: { id: DIST },
      create: { id: DIST, projectId: 'el-2026', beneficiaryId: input.beneficiaryId, amount: '1000' },
      update: {},
    });
  });
});

describe('markDistributionFailed', () => {
  it('When marking failed, Then a CONFIRMED row is never downgraded and the reason is capped', async () => {
    const f = fakes();

    await f.activities.markDistributionFailed({ distributionId: DIST, reason: 'r'.repeat(600) });

    expect(f.prisma.distribution.updateMany).toHaveBeenCalledWith({
      where: { id: DIST, status: { not: 'CONFIRMED' } },
      data: { status: 'FAILED', failureReason: 'r'.repeat(500) },
    });
  });
});
