import pino from 'pino';
import { loadConfig } from '../../common/config';
import { startWorker } from '../../workers/worker';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { expectEachPaidOnce, transfersTo } from '../support/chain-verdict';
import { startOwnChain, type OwnChain } from '../support/own-chain';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * A transaction the node refuses for good (here: more gas than a block may hold, after the
 * chain lowered its block gas limit) must fail its own work with the reason and free its
 * nonce, so the signer's later transactions still go through.
 */
const FINAL = ['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'];
const BLOCK_GAS_LIMIT = 5_000_000;

describe('When the node refuses a chunk transaction for good', () => {
  let chain: OwnChain;
  let sys: System;
  beforeAll(async () => {
    chain = await startOwnChain();
    sys = await startSystem({ ...chain.env, PAYOUT_CHUNK_SIZE: '200', BATCH_CONCURRENCY: '1', TX_STUCK_AFTER_SECONDS: '2' });
    // After the worker started: its start-up check saw a roomy chain.
    await chain.rpc('evm_setBlockGasLimit', [`0x${BLOCK_GAS_LIMIT.toString(16)}`]);
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await chain?.stop();
  }, 60_000);

  it('Then that chunk fails with the reason, nothing of it is paid, and a later payout of the same signer is mined', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'refused', 200);
    await sys.fundProject('refused');
    const res = await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'refused',
      batchId: 'refused-1',
      beneficiaryIds: people.map((p) => p.id),
      amount: '21',
    });
    expect(res.status).toBe(202);
    const batch = await eventually(
      async () => (await call(sys.api.url, 'GET', '/v1/distributions/batches/refused-1')).body,
      (b) => FINAL.includes(b.status),
      60_000,
    );
    expect(batch.status).toBe('COMPLETED_WITH_FAILURES');
    expect(batch.payouts.FAILED.count).toBe(200);
    const failed = await call(sys.api.url, 'GET', '/v1/distributions/batches/refused-1/payouts?status=FAILED&limit=1');
    expect(failed.body.items[0].failureReason).toMatch(/^TransactionRefused: .*gas/i);
    const token = await sys.token.getAddress();
    const addresses = people.map((p) => p.address);
    expectEachPaidOnce(await transfersTo(chain.provider, token, addresses), addresses, 0n);

    const [later] = await seedActiveBeneficiaries(sys.prisma, 'refused', 1);
    await call(sys.api.url, 'POST', '/v1/tokens/distribute', {
      projectId: 'refused',
      beneficiaryId: later!.id,
      amount: '8',
      distributionId: 'refused-after',
    });
    await eventually(
      async () => (await call(sys.api.url, 'GET', '/v1/tokens/distributions/refused-after')).body.status,
      (s) => s === 'CONFIRMED',
      30_000,
    );
    expectEachPaidOnce(await transfersTo(chain.provider, token, [later!.address]), [later!.address], 8n);
  }, 120_000);

  it('Then a worker whose chunk size cannot fit the block gas limit refuses to start, naming PAYOUT_CHUNK_SIZE', async () => {
    const config = loadConfig({
      ...process.env,
      ...chain.env,
      PAYOUT_CHUNK_SIZE: '200',
      TEMPORAL_TASK_QUEUE: 'refused-start',
      WORKER_METRICS_PORT: '0',
    });
    const started = startWorker(config, pino({ level: 'silent' }));
    await expect(started).rejects.toThrow(/PAYOUT_CHUNK_SIZE/);
    // Should it have started after all, stop it so the suite ends.
    await started.then((w) => w.shutdown()).catch(() => undefined);
  }, 30_000);
});
