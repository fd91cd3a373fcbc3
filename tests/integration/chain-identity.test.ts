import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { computeAddress } from 'ethers';
import pino from 'pino';
import { loadConfig } from '../../common/config';
import { createPrisma } from '../../common/db';
import { startAnvil, type AnvilHandle } from '../../scripts/stack/anvil';
import { ensureContracts } from '../../scripts/stack/contracts';
import { startWorker } from '../../workers/worker';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { startOwnChain, type OwnChain } from '../support/own-chain';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * The database remembers a chain: its genesis, the contracts deployed on it and the signer's
 * nonces. A node that is not that chain (reset, or restored from an older state) must stop the
 * engine at start-up with what happened and what to do, not let it pay on a chain that
 * forgot what the database says was paid. /health shows the signer's gaps and oldest pending.
 */
const quiet = pino({ level: 'silent' });

async function payOne(sys: System, project: string, id: string) {
  const [p] = await seedActiveBeneficiaries(sys.prisma, project, 1);
  await sys.fundProject(project);
  await call(sys.api.url, 'POST', '/v1/tokens/distribute', { projectId: project, beneficiaryId: p!.id, amount: '5', distributionId: id });
  return p!;
}

const confirmed = (sys: System, id: string) =>
  eventually(
    async () => (await call(sys.api.url, 'GET', `/v1/tokens/distributions/${id}`)).body.status,
    (s) => s === 'CONFIRMED',
    30_000,
  );

describe('When the chain at BLOCKCHAIN_RPC_URL is not the chain the database recorded', () => {
  const chainId = 4_000_000 + Math.floor(Math.random() * 1_000_000);
  let dir: string;
  let anvil: AnvilHandle | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chain-identity-'));
  });
  afterAll(async () => {
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const configFor = (url: string) =>
    loadConfig({ ...process.env, BLOCKCHAIN_RPC_URL: url, TEMPORAL_TASK_QUEUE: `identity-${chainId}`, WORKER_METRICS_PORT: '0' });
  const deploy = (url: string, prisma: ReturnType<typeof createPrisma>) => {
    const admin = loadConfig({ ...process.env, BLOCKCHAIN_RPC_URL: url }, { adminWorker: true }).admin!;
    return ensureContracts({ rpcUrl: url, adminKey: admin.privateKey, hotSigner: admin.hotSigner, prisma });
  };

  it('Then a reset chain (new genesis) and a chain restored from an older state both stop the worker at start-up, saying what to do', async () => {
    const stateFile = path.join(dir, 'anvil-state.json');
    anvil = await startAnvil({ chainId, stateFile });
    const prisma = createPrisma(process.env.DATABASE_URL!, { max: 1 });
    try {
      await deploy(anvil.url, prisma);
    } finally {
      await prisma.$disconnect();
    }
    let sys = await startSystem({ BLOCKCHAIN_RPC_URL: anvil.url });
    await payOne(sys, 'identity', 'identity-1');
    await confirmed(sys, 'identity-1');
    await sys.stop();
    await anvil.stop();
    copyFileSync(stateFile, path.join(dir, 'older.json'));

    anvil = await startAnvil({ chainId, stateFile });
    sys = await startSystem({ BLOCKCHAIN_RPC_URL: anvil.url });
    await payOne(sys, 'identity', 'identity-2');
    await confirmed(sys, 'identity-2');
    await sys.stop();
    await anvil.stop();

    // Restored from the older state: the database knows a payout this chain never saw.
    anvil = await startAnvil({ chainId, stateFile: path.join(dir, 'older.json') });
    await expect(startWorker(configFor(anvil.url), quiet)).rejects.toThrow(/nonce.*behind.*database|database.*ahead/is);
    await anvil.stop();

    // A fresh chain with the same id: another genesis, none of the recorded contracts.
    anvil = await startAnvil({ chainId });
    await expect(startWorker(configFor(anvil.url), quiet)).rejects.toThrow(/genesis/i);
    const prisma2 = createPrisma(process.env.DATABASE_URL!, { max: 1 });
    try {
      await expect(deploy(anvil.url, prisma2)).rejects.toThrow(/genesis/i);
    } finally {
      await prisma2.$disconnect();
    }
  }, 150_000);
});

describe('When a nonce of the signer was allocated but has no transaction', () => {
  let chain: OwnChain;
  let sys: System;
  beforeAll(async () => {
    chain = await startOwnChain();
    sys = await startSystem({ ...chain.env, TX_STUCK_AFTER_SECONDS: '1' });
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await chain?.stop();
  }, 60_000);

  it('Then /health names the gap and the age of the oldest unmined transaction, and the gap is filled so the payout is mined', async () => {
    await payOne(sys, 'gap', 'gap-0');
    await confirmed(sys, 'gap-0');
    // A nonce taken with nothing signed at it (a restored backup, a hand-edited row).
    const hot = computeAddress(sys.config.chain.signerKey);
    await sys.prisma
      .$executeRaw`UPDATE signer_nonces SET next_nonce = next_nonce + 1 WHERE chain_id = ${chain.chainId} AND address = ${hot}`;
    const { nextNonce } = await sys.prisma.signerNonce.findUniqueOrThrow({
      where: { chainId_address: { chainId: chain.chainId, address: hot } },
    });
    await payOne(sys, 'gap', 'gap-1');
    const health = await eventually(
      async () => (await call(sys.api.url, 'GET', '/health', undefined, { auth: 'none' })).body,
      (h) => (h.checks?.signer?.oldestUnminedSeconds ?? 0) >= 1,
      20_000,
    );
    expect(health.checks.signer).toMatchObject({ status: 'degraded', missingNonces: [nextNonce - 1] });
    await confirmed(sys, 'gap-1');
  }, 90_000);
});
