import { Client, Connection } from '@temporalio/client';
import { id as keccakId } from 'ethers';
import pino from 'pino';
import { createDataConverter } from '../../common/data-converter';
import { startApi } from '../../api/server';
import { freePort } from '../../scripts/stack/process';
import { call, eventually, startSystem, type System } from '../support/system';

const PROJECT = 'skeleton';
let sys: System;

beforeAll(async () => {
  sys = await startSystem();
  await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Walking skeleton' });
  await sys.fundProject(PROJECT);
}, 60_000);

afterAll(async () => {
  await sys?.stop();
});

async function registerActive(externalId: string): Promise<{ id: string; walletAddress: string }> {
  const started = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, externalId });
  expect(started.status).toBe(202);
  return eventually(
    async () => (await call(sys.api.url, 'GET', started.body.links.self)).body,
    (b) => b.status === 'ACTIVE',
  );
}

describe('GET /health', () => {
  it('When database, Temporal and chain are up, Then it answers 200 with each check up and timed', async () => {
    const res = await call(sys.api.url, 'GET', '/health');
    expect(res.status).toBe(200);
    for (const name of ['database', 'temporal', 'chain']) {
      expect(res.body.checks[name]).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    }
  });
});

describe('beneficiary registration', () => {
  it('When a beneficiary is registered, Then 202 points to a resource that becomes ACTIVE with a stored wallet', async () => {
    const res = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, externalId: 'reg-1' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(res.body.links.self);
    const active = await eventually(
      async () => (await call(sys.api.url, 'GET', res.body.links.self)).body,
      (b) => b.status === 'ACTIVE',
    );
    const row = await sys.prisma.beneficiary.findUniqueOrThrow({ where: { id: res.body.id }, include: { wallet: true } });
    expect(row.status).toBe('ACTIVE');
    expect(row.wallet?.address).toBe(active.walletAddress);
    expect(active.walletAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it('When the same person is registered twice, Then there is one beneficiary and one wallet', async () => {
    const first = await registerActive('reg-twice');
    const again = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, externalId: 'reg-twice' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect(await sys.prisma.beneficiary.count({ where: { projectId: PROJECT, externalId: 'reg-twice' } })).toBe(1);
    expect(await sys.prisma.wallet.count({ where: { beneficiaryId: first.id } })).toBe(1);
  });

  it('When the project does not exist, Then 422 names projectId and nothing is written', async () => {
    const before = await sys.prisma.beneficiary.count();
    const res = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: 'no-such-project', externalId: 'x1' });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'body.projectId', message: 'does not exist' }]);
    expect(await sys.prisma.beneficiary.count()).toBe(before);
  });
});

describe('token distribution', () => {
  it('When tokens are distributed, Then the row is CONFIRMED with the tx hash and block, and the chain balance matches', async () => {
    const b = await registerActive('dist-1');
    const balanceBefore: bigint = await sys.token.balanceOf(b.walletAddress);
    const res = await call(sys.api.url, 'POST', '/v1/tokens/distribute', {
      projectId: PROJECT,
      beneficiaryId: b.id,
      amount: '2500',
      distributionId: 'skeleton-dist-1',
    });
    expect(res.status).toBe(202);
    const done = await eventually(
      async () => (await call(sys.api.url, 'GET', res.body.links.self)).body,
      (d) => d.status === 'CONFIRMED' || d.status === 'FAILED',
    );
    expect(done.status).toBe('CONFIRMED');
    const row = await sys.prisma.payout.findUniqueOrThrow({ where: { id: 'skeleton-dist-1' } });
    expect(row.txHash).toBe(done.txHash);
    expect(Number(row.blockNumber)).toBe(done.blockNumber);
    const receipt = await sys.provider.getTransactionReceipt(done.txHash);
    expect(receipt?.status).toBe(1);
    expect(receipt?.blockNumber).toBe(done.blockNumber);
    const released = receipt!.logs.map((l) => sys.treasury.interface.parseLog(l)).find((l) => l?.name === 'Released');
    expect(released?.args.ref).toBe(keccakId('distribution:skeleton-dist-1'));
    expect(await sys.token.balanceOf(b.walletAddress)).toBe(balanceBefore + 2500n);
  });

  it('When the same distribution is requested again, Then it is paid once', async () => {
    const b = await registerActive('dist-twice');
    const body = { projectId: PROJECT, beneficiaryId: b.id, amount: '700', distributionId: 'skeleton-dist-twice' };
    const first = await call(sys.api.url, 'POST', '/v1/tokens/distribute', body);
    await eventually(
      async () => (await call(sys.api.url, 'GET', first.body.links.self)).body,
      (d) => d.status === 'CONFIRMED',
    );
    const second = await call(sys.api.url, 'POST', '/v1/tokens/distribute', body);
    expect(second.status).toBe(202);
    expect(second.body.status).toBe('CONFIRMED');
    expect(await sys.token.balanceOf(b.walletAddress)).toBe(700n);
    const conflicting = await call(sys.api.url, 'POST', '/v1/tokens/distribute', { ...body, amount: '701' });
    expect(conflicting.status).toBe(409);
    expect(await sys.token.balanceOf(b.walletAddress)).toBe(700n);
  });

  it('When the beneficiary is unknown, Then 422 names beneficiaryId and no distribution is recorded', async () => {
    const res = await call(sys.api.url, 'POST', '/v1/tokens/distribute', {
      projectId: PROJECT,
      beneficiaryId: '00000000-0000-4000-8000-000000000000',
      amount: '1',
      distributionId: 'skeleton-unknown',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('body.beneficiaryId');
    expect(await sys.prisma.payout.findUnique({ where: { id: 'skeleton-unknown' } })).toBeNull();
  });

  it('When both workflows ran, Then operators find them in Temporal by the ProjectId search attribute', async () => {
    const connection = await Connection.connect({ address: sys.config.temporal.address });
    try {
      // Listing decodes memos, which the app's data converter encrypted.
      const client = new Client({ connection, dataConverter: createDataConverter(sys.config.pii) });
      const types = await eventually(
        async () => {
          const seen = new Set<string>();
          for await (const wf of client.workflow.list({ query: `ProjectId = "${PROJECT}"` })) seen.add(wf.type);
          return seen;
        },
        (s) => s.has('registerBeneficiaryWorkflow') && s.has('distributeTokensWorkflow'),
      );
      expect([...types].sort()).toEqual(['distributeTokensWorkflow', 'registerBeneficiaryWorkflow']);
    } finally {
      await connection.close();
    }
  });
});

describe('GET /health with a dependency down', () => {
  it('When the chain does not answer, Then it answers 200 "degraded" naming the chain: the API still serves what needs no chain', async () => {
    const deadRpc = `http://127.0.0.1:${await freePort()}`;
    const api = await startApi(
      { ...sys.config, api: { ...sys.config.api, host: '127.0.0.1', port: 0 }, chain: { ...sys.config.chain, rpcUrl: deadRpc } },
      pino({ level: 'silent' }),
    );
    try {
      const res = await call(api.url, 'GET', '/health');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.checks.chain.status).toBe('down');
      expect(res.body.degraded).toContainEqual({ check: 'chain', reason: expect.any(String) });
      expect(res.body.down).toEqual([]);
      expect(res.body.checks.database.status).toBe('up');
      expect(res.body.checks.temporal.status).toBe('up');
    } finally {
      await api.close();
    }
  });
});
