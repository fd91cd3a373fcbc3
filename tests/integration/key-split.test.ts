import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Contract, Wallet, ZeroHash, hexlify, id } from 'ethers';
import { loadArtifact } from '../../contracts/artifacts';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { startOwnChain, type OwnChain } from '../support/own-chain';
import { workflowIds } from '../../common/workflow-ids';
import { recordHistory } from '../support/histories';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * The engine's hot key pays, and can do nothing else: it cannot mint, cannot take more than a
 * project's allowance from the treasury, and can be paused on chain. What only the admin key
 * may do runs on the admin task queue, in a worker of its own.
 */
let chain: OwnChain;
let sys: System;
let hot: Wallet;

beforeAll(async () => {
  chain = await startOwnChain();
  sys = await startSystem({ ...chain.env, PAYOUT_CHUNK_SIZE: '10' });
  hot = new Wallet(sys.config.chain.signerKey, chain.provider);
}, 90_000);

afterAll(async () => {
  await sys?.stop();
  await chain?.stop();
}, 60_000);

describe('the hot key', () => {
  it('When it tries to mint or to drain the treasury, Then the chain refuses and no token moves', async () => {
    const token = new Contract(await sys.token.getAddress(), loadArtifact('RahatToken').abi, hot);
    const treasury = new Contract(await sys.treasury.getAddress(), loadArtifact('RahatTreasury').abi, hot);
    const supply: bigint = await token.getFunction('totalSupply')();
    const held: bigint = await token.getFunction('balanceOf')(await treasury.getAddress());

    expect(await token.getFunction('hasRole')(id('MINTER_ROLE'), hot.address)).toBe(false);
    expect(await token.getFunction('hasRole')(ZeroHash, hot.address)).toBe(false);
    expect(await treasury.getFunction('hasRole')(ZeroHash, hot.address)).toBe(false);
    await expect(token.getFunction('mint')(hot.address, 1n, { nonce: await hot.getNonce('pending') })).rejects.toThrow();
    // A project with no budget: the treasury refuses to let the hot key take anything for it.
    const drain = treasury.getFunction('release')(
      id('project:nobody'),
      await token.getAddress(),
      hot.address,
      held,
      hexlify(randomBytes(32)),
      {
        nonce: await hot.getNonce('pending'),
      },
    );
    await expect(drain).rejects.toThrow(/AllowanceExceeded|execution reverted/);

    expect(await token.getFunction('totalSupply')()).toBe(supply);
    expect(await token.getFunction('balanceOf')(await treasury.getAddress())).toBe(held);
  });
});

describe('the admin task queue', () => {
  it('When no admin worker runs, Then a batch of a new project waits for its contract; once one runs, the admin key deploys it and the batch pays', async () => {
    const people = await seedActiveBeneficiaries(sys.prisma, 'admin-q', 3);
    // A budget (the admin key's doing), but no disbursement contract yet: the first batch needs one.
    await sys.fundProject('admin-q');
    await sys.stopAdminWorker();
    await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: 'admin-q',
      batchId: 'admin-q-1',
      beneficiaryIds: people.map((p) => p.id),
      amount: '2',
    });
    await new Promise((r) => setTimeout(r, 5000));
    expect((await sys.prisma.distributionBatch.findUniqueOrThrow({ where: { id: 'admin-q-1' } })).status).toBe('RUNNING');
    expect(await sys.prisma.projectDisbursement.findUnique({ where: { projectId: 'admin-q' } })).toBeNull();

    const admin = await sys.startAdminWorker();
    await eventually(
      async () => (await sys.prisma.distributionBatch.findUniqueOrThrow({ where: { id: 'admin-q-1' } })).status,
      (s) => s === 'COMPLETED',
      60_000,
    );
    const d = await sys.prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId: 'admin-q' } });
    const contract = new Contract(d.address, loadArtifact('RahatDisbursement').abi, chain.provider);
    expect(await contract.getFunction('hasRole')(ZeroHash, admin.address)).toBe(true);
    expect(await contract.getFunction('hasRole')(ZeroHash, hot.address)).toBe(false);
    expect(await contract.getFunction('hasRole')(id('DISBURSER_ROLE'), hot.address)).toBe(true);
    const op = await sys.prisma.treasuryOperation.findFirstOrThrow({ where: { projectId: 'admin-q' } });
    await recordHistory(sys, workflowIds.treasuryOperation(op.id), 'treasury-budget');
    await recordHistory(sys, 'batch-admin-q-1', 'batch-waiting-for-admin');
    await recordHistory(sys, workflowIds.chainWatch(sys.config.temporal.taskQueue), 'chain-watch');
  }, 90_000);
});

describe('minting', () => {
  // Not execFileSync: the workers run in this process, and a blocked event loop would stall the mint.
  const mint = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', 'scripts/treasury-mint.ts', ...args], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, ...chain.env, TEMPORAL_TASK_QUEUE: sys.config.temporal.taskQueue, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 45_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  };

  it('When an operator runs npm run treasury:mint twice with one --key, Then the admin worker mints exactly that much, once', async () => {
    const treasury = await sys.treasury.getAddress();
    const token = sys.token.connect(chain.provider) as typeof sys.token;
    const before: bigint = await token.getFunction('balanceOf')(treasury);
    const key = `top-up-${randomBytes(4).toString('hex')}`;

    const first = await mint('5', '--key', key);
    const again = await mint('5', '--key', key);

    expect(first).toMatchObject({ status: 'CONFIRMED' });
    expect(again).toMatchObject({ status: 'CONFIRMED', id: first.id, txHash: first.txHash });
    expect(await token.getFunction('balanceOf')(treasury)).toBe(before + 5n * 10n ** 18n);
    const tx = await chain.provider.getTransaction(first.txHash);
    expect(tx?.from).toBe(sys.adminWorker!.address);
    // The same key for another amount is refused before anything is signed.
    await expect(mint('6', '--key', key)).rejects.toThrow(/already named a mint/);
    expect(await token.getFunction('balanceOf')(treasury)).toBe(before + 5n * 10n ** 18n);
  }, 120_000);
});
