import { Contract, Wallet } from 'ethers';
import { fundRef, payoutRef, projectKey } from '../../activities/payouts/refs';
import { loadArtifact } from '../../contracts/artifacts';
import { reconcileBatch } from '../../scripts/reconcile/reconcile-batch';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { expectEachPaidOnce, transfersTo } from '../support/chain-verdict';
import { startOwnChain, type OwnChain } from '../support/own-chain';
import { startRpcProxy } from '../support/rpc-proxy';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Reads that decide money: what the chain already did must be found with reads a hosted RPC
 * answers (bounded log ranges from the contract's deployment block), and a release that
 * already happened must count as done, never as "unfunded".
 */
const FINAL = ['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'];
const MAX_LOG_RANGE = 20;
let chain: OwnChain;
let proxy: Awaited<ReturnType<typeof startRpcProxy>>;
let sys: System;
let hot: Wallet;

beforeAll(async () => {
  // A chain of its own: the test signs with the engine's key behind the engine's back.
  chain = await startOwnChain();
  proxy = await startRpcProxy(chain.url, { maxLogRange: MAX_LOG_RANGE });
  sys = await startSystem({ BLOCKCHAIN_RPC_URL: proxy.url, PAYOUT_CHUNK_SIZE: '10' });
  // Enough history that a scan from block 0 spans more than the provider allows.
  await sys.provider.send('anvil_mine', [`0x${(MAX_LOG_RANGE * 2).toString(16)}`]);
  // Stands for the engine's own earlier attempt whose record was lost: same key, same call.
  hot = new Wallet(sys.config.chain.signerKey, chain.provider);
}, 90_000);

afterAll(async () => {
  await sys?.stop();
  await proxy?.close();
  await chain?.stop();
}, 60_000);

const getBatch = async (id: string) => (await call(sys.api.url, 'GET', `/v1/distributions/batches/${id}`)).body;

describe('When the RPC provider caps eth_getLogs ranges', () => {
  it('Then a batch reconciles against the chain in bounded pages', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'capped', 12);
    await sys.fundProject('capped');
    await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'capped',
      batchId: 'capped-1',
      beneficiaryIds: people.map((p) => p.id),
      amount: '6',
    });
    expect(
      (
        await eventually(
          () => getBatch('capped-1'),
          (b) => FINAL.includes(b.status),
          60_000,
        )
      ).status,
    ).toBe('COMPLETED');
    await sys.provider.send('anvil_mine', [`0x${(MAX_LOG_RANGE * 2).toString(16)}`]);

    const report = await reconcileBatch(sys.prisma, sys.provider, 'capped-1').catch((err: Error) => err);

    expect(report).toMatchObject({ ok: true, confirmed: 12 });
  }, 90_000);

  it('Then a payout already released on chain (its record lost) is recorded with that transaction, not sent again', async () => {
    const [person] = await seedActiveBeneficiaries(sys.prisma, 'capped', 1);
    await sys.fundProject('capped');
    const treasury = new Contract(await sys.treasury.getAddress(), loadArtifact('RahatTreasury').abi, hot);
    const earlier = await (
      await treasury.getFunction('release')(
        projectKey('capped'),
        await sys.token.getAddress(),
        person!.address,
        44n,
        payoutRef('capped-single'),
        { nonce: await hot.getNonce('pending') },
      )
    ).wait();
    await sys.provider.send('anvil_mine', [`0x${(MAX_LOG_RANGE * 2).toString(16)}`]);

    await call(sys.api.url, 'POST', '/v1/tokens/distribute', {
      projectId: 'capped',
      beneficiaryId: person!.id,
      amount: '44',
      distributionId: 'capped-single',
    });
    const paid = await eventually(
      async () => (await call(sys.api.url, 'GET', '/v1/tokens/distributions/capped-single')).body,
      (d) => d.status === 'CONFIRMED' || d.status === 'FAILED',
      30_000,
    );

    expect(paid).toMatchObject({ status: 'CONFIRMED', txHash: earlier.hash, blockNumber: earlier.blockNumber });
    expectEachPaidOnce(await transfersTo(chain.provider, await sys.token.getAddress(), [person!.address]), [person!.address], 44n);
  }, 60_000);
});

describe('When a batch round was already funded on chain but the record of it was lost', () => {
  it('Then the batch uses that funding and pays, instead of failing every payout as unfunded', async () => {
    const first = await seedActiveBeneficiaries(sys.prisma, 'refunded', 2);
    await sys.fundProject('refunded');
    await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'refunded',
      batchId: 'refunded-1',
      beneficiaryIds: first.map((p) => p.id),
      amount: '3',
    });
    await eventually(
      () => getBatch('refunded-1'),
      (b) => FINAL.includes(b.status),
      60_000,
    );
    const d = await sys.prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: 'refunded' } });
    const people = await seedActiveBeneficiaries(sys.prisma, 'refunded', 3);
    const treasury = new Contract(await sys.treasury.getAddress(), loadArtifact('RahatTreasury').abi, hot);
    await (
      await treasury.getFunction('release')(
        projectKey('refunded'),
        await sys.token.getAddress(),
        d.address,
        3n * 9n,
        fundRef('refunded-2', 0),
        { nonce: await hot.getNonce('pending') },
      )
    ).wait();

    await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'refunded',
      batchId: 'refunded-2',
      beneficiaryIds: people.map((p) => p.id),
      amount: '9',
    });
    const batch = await eventually(
      () => getBatch('refunded-2'),
      (b) => FINAL.includes(b.status),
      60_000,
    );

    expect(batch).toMatchObject({ status: 'COMPLETED', fundedAmount: '27' });
    const addresses = people.map((p) => p.address);
    expectEachPaidOnce(await transfersTo(chain.provider, await sys.token.getAddress(), addresses), addresses, 9n);
  }, 90_000);
});
