import { Client, Connection } from '@temporalio/client';
import { Interface } from 'ethers';
import { loadArtifact } from '../../contracts/artifacts';
import { reconcileBatch } from '../../scripts/reconcile/reconcile-batch';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { expectEachPaidOnce, transfersTo } from '../support/chain-verdict';
import { startOwnChain, type OwnChain, type PendingTx } from '../support/own-chain';
import { recordHistory } from '../support/histories';
import { call, eventually, startSystem, type System } from '../support/system';

/**
 * A chain that mines only when the test tells it to: transactions stay pending past every
 * replacement threshold while the engine cancels, bumps and recovers. The chain's own
 * Transfer events are the verdict.
 */
const FINAL = ['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'];
const DISBURSE = new Interface(loadArtifact('RahatDisbursement').abi).getFunction('disburse')!.selector;
const noDisburse = (pool: PendingTx[]) => !pool.some((t) => t.input.startsWith(DISBURSE));
const getBatch = async (sys: System, id: string) => (await call(sys.api.url, 'GET', `/v1/distributions/batches/${id}`)).body;

async function chunkTxOf(sys: System, batchId: string) {
  const chunk = await sys.prisma.payoutChunk.findFirst({ where: { batchId } });
  return chunk ? sys.prisma.chainTransaction.findUnique({ where: { purpose: `chunk:${chunk.id}` } }) : null;
}

/** Every version signed at the transaction's nonce (original, bumps, cancellations). */
const versionsOf = (sys: System, txId: string) => sys.prisma.chainTransactionVersion.count({ where: { txId } });

/** Starts a batch and mines everything but its chunk transaction, which stays pending. */
async function batchWithPendingChunk(chain: OwnChain, sys: System, project: string, batchId: string, amount: string, count: number) {
  const people = await seedActiveBeneficiaries(sys.prisma, project, count);
  chain.miner.start(50, noDisburse);
  await sys.fundProject(project);
  const res = await call(sys.api.url, 'POST', '/v1/distributions/batches', {
    projectId: project,
    batchId,
    beneficiaryIds: people.map((p) => p.id),
    amount,
  });
  expect(res.status).toBe(202);
  await eventually(
    async () => !noDisburse(await chain.miner.pool()),
    (pending) => pending,
    60_000,
  );
  await chain.miner.stop();
  return people;
}

describe('When a batch is cancelled while its chunk transaction is pending, and the cancellation is bumped again and again', () => {
  let chain: OwnChain;
  let sys: System;
  beforeAll(async () => {
    chain = await startOwnChain({ mining: 'manual' });
    sys = await startSystem({ ...chain.env, TX_STUCK_AFTER_SECONDS: '1', PAYOUT_CHUNK_SIZE: '10', BATCH_CONCURRENCY: '1' });
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await chain?.stop();
  }, 60_000);

  it('Then the batch ends CANCELLED, no payout is recorded paid, and the chain holds no transfer to their wallets', async () => {
    const people = await batchWithPendingChunk(chain, sys, 'stall-cancel', 'stall-cancel-1', '777', 3);
    expect((await call(sys.api.url, 'POST', '/v1/distributions/batches/stall-cancel-1/cancel')).status).toBe(202);
    // The no-op at the chunk's nonce is replaced several times, each time with a new hash.
    await eventually(
      async () => {
        const tx = await chunkTxOf(sys, 'stall-cancel-1');
        return tx ? versionsOf(sys, tx.id) : 0;
      },
      (n) => n >= 6,
      45_000,
    );
    chain.miner.start(50);
    const batch = await eventually(
      () => getBatch(sys, 'stall-cancel-1'),
      (b) => FINAL.includes(b.status),
      60_000,
    );
    expect(batch.status).toBe('CANCELLED');
    expect(batch.payouts.CONFIRMED).toBeUndefined();
    expect(batch.payouts.CANCELLED.count).toBe(3);
    const addresses = people.map((p) => p.address);
    expectEachPaidOnce(await transfersTo(chain.provider, await sys.token.getAddress(), addresses), addresses, 0n);
    expect((await reconcileBatch(sys.prisma, chain.provider, 'stall-cancel-1')).ok).toBe(true);
    const chunk = await sys.prisma.payoutChunk.findFirstOrThrow({ where: { batchId: 'stall-cancel-1' } });
    await recordHistory(sys, `chunk-${chunk.id}`, 'chunk-cancelled-while-pending');
  }, 150_000);
});

describe('When a chunk workflow is terminated while its transaction is pending', () => {
  let chain: OwnChain;
  let sys: System;
  beforeAll(async () => {
    chain = await startOwnChain({ mining: 'manual' });
    sys = await startSystem({ ...chain.env, TX_STUCK_AFTER_SECONDS: '2', PAYOUT_CHUNK_SIZE: '10', BATCH_CONCURRENCY: '1' });
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await chain?.stop();
  }, 60_000);

  it('Then the batch settles that chunk from the chain, records what was paid, and returns no budget that was spent', async () => {
    const people = await batchWithPendingChunk(chain, sys, 'stall-terminate', 'stall-terminate-1', '555', 3);
    const chunk = await sys.prisma.payoutChunk.findFirstOrThrow({ where: { batchId: 'stall-terminate-1' } });
    const connection = await Connection.connect({ address: sys.config.temporal.address });
    try {
      await new Client({ connection }).workflow.getHandle(`chunk-${chunk.id}`).terminate('an operator stopped it');
    } finally {
      await connection.close();
    }
    chain.miner.start(50);
    const batch = await eventually(
      () => getBatch(sys, 'stall-terminate-1'),
      (b) => FINAL.includes(b.status),
      60_000,
    );
    const addresses = people.map((p) => p.address);
    expectEachPaidOnce(await transfersTo(chain.provider, await sys.token.getAddress(), addresses), addresses, 555n);
    expect(batch.status).toBe('COMPLETED');
    expect(batch.payouts.CONFIRMED.count).toBe(3);
    expect(await reconcileBatch(sys.prisma, chain.provider, 'stall-terminate-1')).toMatchObject({ ok: true, confirmed: 3 });
    const d = await sys.prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: 'stall-terminate' } });
    // Funded 3 × 555, paid 3 × 555: nothing left, nothing returned, no return transaction reverted.
    expect(await sys.token.connect(chain.provider).getFunction('balanceOf')(d.address)).toBe(0n);
    expect(batch.returnedAmount).toBe('0');
    const reverted = await sys.prisma.chainTransaction.count({
      where: { purpose: { startsWith: 'return:stall-terminate-1' }, succeeded: false },
    });
    expect(reverted).toBe(0);
  }, 150_000);
});

describe('When single payouts stay pending past the replacement thresholds', () => {
  let chain: OwnChain;
  let sys: System;
  const ceiling = 2n * 10n ** 9n;
  beforeAll(async () => {
    chain = await startOwnChain({ mining: 'manual' });
    sys = await startSystem({ ...chain.env, TX_STUCK_AFTER_SECONDS: '1', TX_MAX_FEE_GWEI: '2' });
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await chain?.stop();
  }, 60_000);

  it('Then only the lowest pending nonce is bumped, never above the fee ceiling, /health names the age of the oldest one, and both are paid once', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'stall-fees', 2);
    chain.miner.start(50);
    await sys.fundProject('stall-fees');
    await chain.miner.stop();
    for (const [i, p] of people.entries()) {
      const res = await call(sys.api.url, 'POST', '/v1/tokens/distribute', {
        projectId: 'stall-fees',
        beneficiaryId: p.id,
        amount: '333',
        distributionId: `stall-fees-${i}`,
      });
      expect(res.status).toBe(202);
    }
    const txOf = (i: number) => sys.prisma.chainTransaction.findUnique({ where: { purpose: `payout:stall-fees-${i}` } });
    await eventually(
      async () => [await txOf(0), await txOf(1)],
      (rows) => rows.every((r) => r?.status === 'BROADCAST'),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 9000));
    const [lower, higher] = [(await txOf(0))!, (await txOf(1))!].sort((a, b) => a.nonce - b.nonce);
    expect(await versionsOf(sys, lower.id)).toBeGreaterThan(1);
    // Bumped up to the ceiling and no further.
    expect(BigInt(lower.maxFeePerGas.toFixed())).toBe(ceiling);
    expect(BigInt(lower.maxPriorityFeePerGas.toFixed())).toBeLessThanOrEqual(ceiling);
    expect(await versionsOf(sys, higher.id)).toBe(1);

    const health = await call(sys.api.url, 'GET', '/health', undefined, { auth: 'none' });
    expect(health.body.checks.signer).toMatchObject({ unmined: 2 });
    expect(health.body.checks.signer.oldestUnminedSeconds).toBeGreaterThanOrEqual(8);

    chain.miner.start(50);
    for (const i of [0, 1]) {
      await eventually(
        async () => (await call(sys.api.url, 'GET', `/v1/tokens/distributions/stall-fees-${i}`)).body.status,
        (s) => s === 'CONFIRMED',
        30_000,
      );
    }
    const addresses = people.map((p) => p.address);
    expectEachPaidOnce(await transfersTo(chain.provider, await sys.token.getAddress(), addresses), addresses, 333n);
    await recordHistory(sys, 'distribute-stall-fees-1', 'distribute-bumped');
  }, 120_000);
});
