import { reconcileBatch } from '../../scripts/reconcile/reconcile-batch';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { expectEachPaidOnce, transfersTo } from '../support/chain-verdict';
import { startOwnChain, type OwnChain } from '../support/own-chain';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Chains that misbehave the way real ones do: a 3-block reorg after a chunk was mined, and a
 * slow chain (a block every two seconds) with pause, cancel and replacement in flight. Each
 * gets a chain of its own. The chain's Transfer events are the verdict: every payout paid once
 * or provably not at all, nothing recorded paid that the chain did not pay, reconciliation clean.
 */
const FINAL = ['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'];
const getBatch = async (sys: System, id: string) => (await call(sys.api.url, 'GET', `/v1/distributions/batches/${id}`)).body;

/** Empty blocks every `ms` while on: confirmations for an automining chain. */
function ticker(chain: OwnChain, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  return {
    on: () => (timer ??= setInterval(() => void chain.rpc('evm_mine').catch(() => undefined), ms)),
    off: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

async function expectChainAndDatabaseAgree(chain: OwnChain, sys: System, batchId: string, people: { address: string }[], amount: bigint) {
  const addresses = people.map((p) => p.address);
  await eventually(
    async () => (await transfersTo(chain.provider, await sys.token.getAddress(), addresses)).length,
    (n) => n >= addresses.length,
    60_000,
  );
  expectEachPaidOnce(await transfersTo(chain.provider, await sys.token.getAddress(), addresses), addresses, amount);
  const report = await eventually(
    () => reconcileBatch(sys.prisma, chain.provider, batchId),
    (r) => r.ok,
    60_000,
  );
  expect(report).toMatchObject({ ok: true, confirmed: addresses.length, onChainPayouts: addresses.length });
}

describe.each([1, 3])('When a 3-block reorg removes a batch that was mined, with CHAIN_CONFIRMATIONS=%i', (confirmations) => {
  let chain: OwnChain;
  let sys: System;
  let tick: ReturnType<typeof ticker>;
  beforeAll(async () => {
    chain = await startOwnChain();
    tick = ticker(chain, 300);
    sys = await startSystem({
      ...chain.env,
      CHAIN_CONFIRMATIONS: String(confirmations),
      PAYOUT_CHUNK_SIZE: '10',
      TX_STUCK_AFTER_SECONDS: '2',
    });
  }, 90_000);
  afterAll(async () => {
    tick?.off();
    await sys?.stop();
    await chain?.stop();
  }, 60_000);

  it('Then every payout ends paid exactly once on chain and the database agrees with the chain', async () => {
    const project = `reorg-${confirmations}`;
    const batchId = `reorg-${confirmations}-1`;
    const people = await seedActiveBeneficiaries(sys.prisma, project, 10);
    const addresses = people.map((p) => p.address);
    const token = await sys.token.getAddress();
    // With one confirmation, automine alone confirms: the batch is done before the reorg takes its
    // last blocks. With three, blocks keep coming and the reorg takes the chunk before it has them.
    if (confirmations > 1) tick.on();
    await sys.fundProject(project);
    await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: project,
      batchId,
      beneficiaryIds: addresses.map((_, i) => people[i]!.id),
      amount: '12',
    });
    await eventually(
      async () => (await transfersTo(chain.provider, token, addresses)).length,
      (n) => n === 10,
      60_000,
    );
    if (confirmations === 1)
      await eventually(
        () => getBatch(sys, batchId),
        (b) => b.status === 'COMPLETED',
        30_000,
      );
    const paidIn = (await transfersTo(chain.provider, token, addresses))[0]!.blockNumber;
    await chain.rpc('anvil_reorg', [3, []]);
    // The reorg took the chunk's block (it was within the last three).
    expect(await chain.provider.getBlockNumber()).toBeGreaterThanOrEqual(paidIn);
    expect(await transfersTo(chain.provider, token, addresses)).toEqual([]);
    tick.on();

    await expectChainAndDatabaseAgree(chain, sys, batchId, people, 12n);
    expect(
      (
        await eventually(
          () => getBatch(sys, batchId),
          (b) => FINAL.includes(b.status),
          60_000,
        )
      ).status,
    ).toBe('COMPLETED');
  }, 180_000);
});

describe('When the chain is slow (a block every 3 seconds) and a batch is paused, resumed and cancelled with replacements in flight', () => {
  let chain: OwnChain;
  let sys: System;
  beforeAll(async () => {
    chain = await startOwnChain({ blockTime: 3 });
    sys = await startSystem({ ...chain.env, PAYOUT_CHUNK_SIZE: '10', BATCH_CONCURRENCY: '2', TX_STUCK_AFTER_SECONDS: '1' });
  }, 120_000);
  afterAll(async () => {
    await sys?.stop();
    await chain?.stop();
  }, 60_000);

  it('Then each payout is paid once or provably not at all, the unpaid budget goes back, and DB and chain agree', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'slow', 80);
    await sys.fundProject('slow');
    await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'slow',
      batchId: 'slow-1',
      beneficiaryIds: people.map((p) => p.id),
      amount: '9',
    });
    await eventually(
      () => getBatch(sys, 'slow-1'),
      (b) => (b.payouts.CONFIRMED?.count ?? 0) >= 10,
      90_000,
    );
    expect((await call(sys.api.url, 'POST', '/v1/distributions/batches/slow-1/pause')).status).toBe(202);
    await eventually(
      () => getBatch(sys, 'slow-1'),
      (b) => b.status === 'PAUSED',
      90_000,
    );
    expect((await call(sys.api.url, 'POST', '/v1/distributions/batches/slow-1/resume')).status).toBe(202);
    // Cancel while the next chunks are in flight (signed, broadcast, being replaced).
    await eventually(
      async () => sys.prisma.payoutChunk.count({ where: { batchId: 'slow-1', status: { in: ['SIGNED', 'SUBMITTED'] } } }),
      (n) => n > 0,
      60_000,
    );
    expect((await call(sys.api.url, 'POST', '/v1/distributions/batches/slow-1/cancel')).status).toBe(202);
    const batch = await eventually(
      () => getBatch(sys, 'slow-1'),
      (b) => FINAL.includes(b.status),
      120_000,
    );

    expect(batch.status).toBe('CANCELLED');
    const paid = await sys.prisma.payout.findMany({ where: { batchId: 'slow-1', status: 'CONFIRMED' } });
    const unpaid = await sys.prisma.payout.findMany({ where: { batchId: 'slow-1', status: { not: 'CONFIRMED' } } });
    expect(paid.length + unpaid.length).toBe(80);
    const token = await sys.token.getAddress();
    const addressOf = (b: string) => people.find((p) => p.id === b)!.address;
    const paidTo = paid.map((p) => addressOf(p.beneficiaryId));
    const unpaidTo = unpaid.map((p) => addressOf(p.beneficiaryId));
    expectEachPaidOnce(await transfersTo(chain.provider, token, paidTo), paidTo, 9n);
    expectEachPaidOnce(await transfersTo(chain.provider, token, unpaidTo), unpaidTo, 0n);
    expect(await reconcileBatch(sys.prisma, chain.provider, 'slow-1')).toMatchObject({ ok: true, confirmed: paid.length });
    expect(BigInt(batch.returnedAmount)).toBe(BigInt(batch.fundedAmount) - 9n * BigInt(paid.length));
    // Transactions waited past the thresholds: some chunk was bumped or cancelled at its nonce.
    const chunks = await sys.prisma.payoutChunk.findMany({ where: { batchId: 'slow-1' }, select: { id: true } });
    const replaced = await sys.prisma.chainTransactionVersion.count({
      where: { kind: { in: ['BUMP', 'CANCEL'] }, tx: { purpose: { in: chunks.map((c) => `chunk:${c.id}`) } } },
    });
    expect(replaced).toBeGreaterThan(0);
  }, 240_000);
});
