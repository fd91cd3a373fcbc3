import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Contract, id as keccakId, NonceManager, parseEther, Wallet } from 'ethers';
import { projectKey } from '../activities/payouts/refs';
import { loadArtifact } from '../contracts/artifacts';
import pino from 'pino';
import { connectProvider } from '../activities/chain/client';
import { startApi } from '../api/server';
import { createDataConverter } from '../common/data-converter';
import { reconcileBatch } from '../scripts/reconcile/reconcile-batch';
import { seedActiveBeneficiaries } from '../tests/support/beneficiaries';
import { naiveTransfers, rawDisbursements } from './chain-runs';
import { printReport } from './report';
import { peakRssMb, say, startBenchStack } from './stack';

/**
 * `npm run bench:distribution -- --payouts 100000 --baseline 300`: one batch end to end
 * (CSV upload → every payout confirmed and recorded) against a fresh local stack, with the
 * naive per-beneficiary baseline and the raw-chain ceiling measured in the same run.
 */
const { values: args } = parseArgs({
  options: {
    payouts: { type: 'string', default: '100000' },
    baseline: { type: 'string', default: '300' },
    chunk: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '24' },
  },
});
const N = Number(args.payouts);
const M = Number(args.baseline);

async function main(): Promise<void> {
  const stack = await startBenchStack('bench', { PAYOUT_CHUNK_SIZE: args.chunk!, BATCH_CONCURRENCY: args.concurrency! });
  const { config, prisma, addresses, bearer, infra } = stack;
  const { provider } = await connectProvider(config.chain.rpcUrl);
  // The baseline and the ceiling send from a key of their own, so the engine's nonces stay its own;
  // the admin key (which alone may mint) funds and empowers it before the admin worker starts.
  const minter = new NonceManager(new Wallet(config.admin!.privateKey, provider));
  const other = Wallet.createRandom().connect(provider);
  await (await minter.sendTransaction({ to: other.address, value: parseEther('100') })).wait();
  const asMinter = new Contract(addresses.token, loadArtifact('RahatToken').abi, minter);
  await (await asMinter.getFunction('grantRole')(await asMinter.getFunction('MINTER_ROLE')(), other.address)).wait();

  say(`baseline: ${M} naive transfers`);
  const baseline = await naiveTransfers(other, addresses.token, M);
  say(`ceiling: ${N} payouts as raw disbursement calls`);
  const ceiling = await rawDisbursements(other, provider, addresses, N, Number(args.chunk));

  say(`engine: seeding ${N} beneficiaries and the project's budget (not timed)`);
  const people = await seedActiveBeneficiaries(prisma, 'bench', N);
  const treasury = new Contract(addresses.treasury, loadArtifact('RahatTreasury').abi, minter);
  await (await treasury.getFunction('increaseAllowance')(projectKey('bench'), BigInt(N) * 10n, keccakId('bench-budget'))).wait();
  const admin = await stack.startAdminWorker();
  const csv = `beneficiaryId,amount\n${people.map((p) => `${p.id},10`).join('\n')}\n`;

  const worker = await stack.startWorker();
  const api = await startApi(config, pino({ level: 'warn' }));
  const t0 = performance.now();
  const res = await fetch(`${api.url}/v1/distributions/batches/upload?projectId=bench&batchId=bench-1`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${bearer}` },
    body: csv,
  });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  say(`upload of ${N} rows accepted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  let status = 'CREATED';
  while (!['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'].includes(status)) {
    await new Promise((r) => setTimeout(r, 200));
    status = (await prisma.distributionBatch.findUniqueOrThrow({ where: { id: 'bench-1' } })).status;
  }
  const seconds = (performance.now() - t0) / 1000;
  const workerRssMb = peakRssMb(worker.child.pid!);

  const [{ gas }] = await prisma.$queryRaw<{ gas: string }[]>`SELECT coalesce(sum(gas_used), 0)::text AS gas FROM chain_transactions
    WHERE purpose LIKE 'chunk:%'`;
  const connection = await Connection.connect({ address: config.temporal.address });
  let maxHistory = 0;
  let runs = 0;
  for await (const wf of new Client({ connection, dataConverter: createDataConverter(config.pii) }).workflow.list({
    query: 'BatchId = "bench-1"',
  })) {
    runs++;
    maxHistory = Math.max(maxHistory, wf.historyLength);
  }
  const report = await reconcileBatch(prisma, provider, 'bench-1');
  printReport({
    n: N,
    status,
    engine: { payouts: N, seconds, perSecond: N / seconds, gasPerPayout: Number(gas) / N },
    baseline,
    ceiling,
    maxHistory,
    workflowRuns: runs,
    peakRssMb: workerRssMb,
    reconciled: report.ok && report.onChainPayouts === N,
  });

  worker.child.kill('SIGTERM');
  admin.child.kill('SIGTERM');
  await worker.exited;
  await admin.exited;
  await api.close();
  await connection.close();
  provider.destroy();
  await prisma.$disconnect();
  await infra.stop();
}

main().catch((err: unknown) => {
  say(`failed: ${(err as Error).stack}`);
  process.exit(1);
});
