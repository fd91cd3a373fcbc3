import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Contract } from 'ethers';
import pino from 'pino';
import { createActivities } from '../../activities';
import { deriveOwnerKey, ownerAddressOf, walletSalt } from '../../activities/wallet-derivation';
import { resolveContractAddresses } from '../../common/contract-addresses';
import { createVault } from '../../common/crypto/vault';
import { createDataConverter } from '../../common/data-converter';
import { ErrorType } from '../../common/errors';
import { createFaults } from '../../common/faults';
import { createServiceClients } from '../../common/http/service-clients';
import { loadArtifact } from '../../contracts/artifacts';
import { workflowIds } from '../../common/workflow-ids';
import { openResources } from '../../workers/resources';
import type { registerBeneficiaryWorkflow } from '../../workflows/register-beneficiary';
import { userToken } from '../support/security-fixture';
import { call, eventually, startSystem, type System } from '../support/system';

const PROJECT = 'registration';
const SITA = { name: 'Sita Sharma', phone: '+9779841000001', email: 'sita@example.org', nationalId: 'NP-2001-0001' };
let sys: System;
let factory: Contract;

beforeAll(async () => {
  sys = await startSystem();
  expect((await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Registration' })).status).toBe(201);
  await sys.fundProject(PROJECT);
  const chainId = Number((await sys.provider.getNetwork()).chainId);
  const { walletFactory } = await resolveContractAddresses(sys.config, sys.prisma, chainId);
  factory = new Contract(walletFactory, loadArtifact('RahatWalletFactory').abi, sys.provider);
}, 120_000);

afterAll(async () => {
  await sys?.stop();
});

async function registerActive(body: Record<string, unknown>) {
  const started = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, ...body });
  expect(started.status).toBe(202);
  return eventually(
    async () => (await call(sys.api.url, 'GET', started.body.links.self)).body,
    (b) => b.status === 'ACTIVE' || b.status === 'FAILED',
    60_000,
  );
}

describe('single registration', () => {
  it('When a person is registered, Then they become ACTIVE with a wallet contract deployed at the address predicted for their derived owner', async () => {
    const b = await registerActive({ externalId: 'reg-sita', ...SITA, gender: 'female', location: 'Kathmandu' });

    expect(b).toMatchObject({
      status: 'ACTIVE',
      profile: { gender: 'FEMALE', location: 'Kathmandu' },
      wallet: { kind: 'SMART', deployed: true },
    });
    const owner = ownerAddressOf(deriveOwnerKey(sys.config.walletMasterSecret, b.id));
    expect(await factory.walletAddress(owner, walletSalt(b.id))).toBe(b.walletAddress);
    expect(await sys.provider.getCode(b.walletAddress)).not.toBe('0x');
    const wallet = new Contract(b.walletAddress, loadArtifact('RahatWallet').abi, sys.provider);
    expect((await wallet.owner()).toLowerCase()).toBe(owner);
    const row = await sys.prisma.wallet.findUniqueOrThrow({ where: { beneficiaryId: b.id } });
    expect(row.deployTxHash).toMatch(/^0x[0-9a-f]{64}$/);
    const events = await sys.prisma.outboxEvent.findMany({ where: { aggregateId: b.id }, orderBy: { createdAt: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['wallet.created', 'beneficiary.created']);
    expect(JSON.stringify(events)).not.toMatch(/Sita|9841000001|example\.org|NP-2001/);
  });

  it('When the same person is registered twice, by external id or by phone alone, Then there is one beneficiary and one wallet', async () => {
    const first = await registerActive({ externalId: 'reg-twice', name: 'Twice' });
    const again = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, externalId: 'reg-twice', name: 'Twice' });
    const byPhone = await registerActive({ phone: '+9779841000002', name: 'Phone Only' });
    const byPhoneAgain = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, phone: '+977 984-100-0002' });

    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect(byPhoneAgain.status).toBe(200);
    expect(byPhoneAgain.body.id).toBe(byPhone.id);
    expect(await sys.prisma.beneficiary.count({ where: { id: { in: [first.id, byPhone.id] } } })).toBe(2);
    expect(await sys.prisma.wallet.count({ where: { beneficiaryId: { in: [first.id, byPhone.id] } } })).toBe(2);
  });

  it('When a beneficiary is read, Then personal data is masked; the personal route shows it to an admin and refuses a viewer', async () => {
    const b = await registerActive({ externalId: 'reg-masked', ...SITA, phone: '+9779841000003' });
    const viewer = await userToken(sys, 'viewer');

    const masked = await call(sys.api.url, 'GET', `/v1/beneficiaries/${b.id}`);
    const clear = await call(sys.api.url, 'GET', `/v1/beneficiaries/${b.id}/personal`);
    const refused = await call(sys.api.url, 'GET', `/v1/beneficiaries/${b.id}/personal`, undefined, { auth: { bearer: viewer.token } });

    expect(masked.body.personal).toEqual({
      name: 'S*** S*****',
      phone: '+977********03',
      email: 's***@e******.org',
      nationalId: '*********001',
    });
    expect(masked.body.personalMasked).toBe(true);
    expect(clear.body.personal).toEqual({ ...SITA, phone: '+9779841000003' });
    expect(clear.headers.get('cache-control')).toBe('no-store');
    expect(refused.status).toBe(403);
  });

  it('When looked up by phone or by wallet address, Then the beneficiary is found; another phone finds no one', async () => {
    const b = await registerActive({ externalId: 'reg-lookup', name: 'Look Up', phone: '+9779841000004' });

    const byPhone = await call(sys.api.url, 'POST', '/v1/beneficiaries/lookup/phone', { phone: '+977-9841000004', projectId: PROJECT });
    const byWallet = await call(sys.api.url, 'GET', `/v1/beneficiaries/lookup/wallet/${b.walletAddress.toLowerCase()}`);
    const nobody = await call(sys.api.url, 'POST', '/v1/beneficiaries/lookup/phone', { phone: '+9779841099999' });

    expect(byPhone.body.items.map((i: { id: string }) => i.id)).toEqual([b.id]);
    expect(byPhone.body.items[0].personal.phone).toBe('+977********04');
    expect(byWallet.body.id).toBe(b.id);
    expect(nobody.body.items).toEqual([]);
  });

  it('When a person brings their own address, Then it is their wallet and no contract is deployed for them', async () => {
    const own = '0x000000000000000000000000000000000000bEEF';

    const b = await registerActive({ externalId: 'reg-own-address', walletAddress: own.toLowerCase() });

    expect(b).toMatchObject({ status: 'ACTIVE', walletAddress: own, wallet: { kind: 'EXTERNAL', deployed: false } });
    expect(await sys.prisma.chainTransaction.count({ where: { purpose: `wallet:${b.id}` } })).toBe(0);
  });

  it("When the address brought is the zero address or one of the engine's contracts, Then 400 names walletAddress and nothing is staged", async () => {
    const cases = {
      zero: '0x0000000000000000000000000000000000000000',
      treasury: await sys.treasury.getAddress(),
      token: await sys.token.getAddress(),
    };
    for (const [name, walletAddress] of Object.entries(cases)) {
      const res = await call(sys.api.url, 'POST', '/v1/beneficiaries', {
        projectId: PROJECT,
        externalId: `reg-bad-${name}`,
        walletAddress,
      });
      expect({ name, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({ name, status: 400, field: 'body.walletAddress' });
    }
    expect(await sys.prisma.beneficiaryDraft.count({ where: { externalId: { startsWith: 'reg-bad-' } } })).toBe(0);
  });

  it('When the phone already belongs to someone else, Then 409 names the field and nothing is staged', async () => {
    const taken = await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: PROJECT, externalId: 'reg-other', phone: SITA.phone });
    const drafts = await sys.prisma.beneficiaryDraft.count({ where: { externalId: 'reg-other' } });

    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([{ field: 'body.phone', message: 'already registered to another beneficiary in this project' }]);
    expect(drafts).toBe(0);
  });

  it('When a step fails for good after the beneficiary was stored, Then it is FAILED with the typed reason, with no wallet row and no staged personal data left', async () => {
    const taskQueue = `compensation-${randomUUID()}`;
    const resources = await openResources(sys.config);
    const real = createActivities({
      prisma: resources.prisma,
      chain: resources.chain,
      logger: pino({ level: 'silent' }),
      faults: createFaults(),
      vault: createVault(sys.config.pii),
      outbound: createServiceClients(sys.config.outbound),
      config: {
        walletMasterSecret: sys.config.walletMasterSecret,
        idDerivationKey: sys.config.idDerivationKey,
        confirmations: 1,
        stuckAfterMs: 30_000,
        maxFeePerGas: sys.config.chain.maxFeePerGas,
        partners: {},
        retention: sys.config.retention,
      },
    });
    // The wallet row is written, then the step fails for good: compensation must remove it.
    const activities = {
      ...real,
      async createWallet(input: Parameters<typeof real.createWallet>[0]) {
        await real.createWallet(input);
        throw ApplicationFailure.nonRetryable('the wallet cannot be used', ErrorType.InvalidAddress);
      },
    };
    const vault = createVault(sys.config.pii);
    const beneficiaryId = randomUUID();
    await sys.prisma.beneficiaryDraft.create({
      data: {
        beneficiaryId,
        projectId: PROJECT,
        externalId: 'reg-compensated',
        profile: {},
        personal: vault.seal(beneficiaryId, { name: 'Failed Person' }),
      },
    });
    const dataConverter = createDataConverter(sys.config.pii);
    const native = await NativeConnection.connect({ address: sys.config.temporal.address });
    const connection = await Connection.connect({ address: sys.config.temporal.address });
    try {
      const worker = await Worker.create({
        connection: native,
        taskQueue,
        workflowsPath: require.resolve('../../workflows'),
        activities,
        dataConverter,
      });
      const client = new Client({ connection, dataConverter });
      const outcome = await worker.runUntil(
        client.workflow
          .execute<typeof registerBeneficiaryWorkflow>('registerBeneficiaryWorkflow', {
            taskQueue,
            workflowId: workflowIds.registration(beneficiaryId),
            args: [{ beneficiaryId, projectId: PROJECT }],
          })
          .catch((e: unknown) => e),
      );
      expect(outcome).toBeInstanceOf(Error);
    } finally {
      await connection.close();
      await native.close();
      await resources.close();
    }

    const row = await sys.prisma.beneficiary.findUniqueOrThrow({ where: { id: beneficiaryId }, include: { wallet: true, personal: true } });
    expect(row.status).toBe('FAILED');
    expect(row.failureReason).toBe('InvalidAddress: the wallet cannot be used');
    expect(row.wallet).toBeNull();
    expect(await sys.prisma.beneficiaryDraft.count({ where: { beneficiaryId } })).toBe(0);
    const failed = await sys.prisma.outboxEvent.findFirstOrThrow({ where: { aggregateId: beneficiaryId, type: 'beneficiary.failed' } });
    expect(failed.data).toEqual({ reason: 'InvalidAddress' });
  }, 120_000);

  it('When a person whose registration FAILED, and whom a batch then failed to pay, is registered again by API or by import, Then they are ACTIVE under the same id and the failed payout stays on record', async () => {
    const byApi = await registerActive({ externalId: 'again-api', name: 'Old Name A', phone: '+9779841000301' });
    const byImport = await registerActive({ externalId: 'again-import', name: 'Old Name B', phone: '+9779841000302' });
    // The state compensation leaves (see the test above): FAILED with a reason, no wallet row.
    for (const { id } of [byApi, byImport]) {
      await sys.prisma.wallet.delete({ where: { beneficiaryId: id } });
      await sys.prisma.beneficiary.update({ where: { id }, data: { status: 'FAILED', failureReason: 'InvalidAddress: test' } });
    }
    const batchId = `again-${randomUUID()}`;
    const batch = await call(sys.api.url, 'POST', '/v1/distributions/batches', {
      projectId: PROJECT,
      batchId,
      payouts: [byApi, byImport].map((b) => ({ beneficiaryId: b.id, amount: '5' })),
    });
    expect(batch.status).toBe(202);
    await eventually(
      async () => (await call(sys.api.url, 'GET', `/v1/distributions/batches/${batchId}`)).body.status,
      (s) => s === 'COMPLETED_WITH_FAILURES',
      90_000,
    );

    const reRegistered = await call(sys.api.url, 'POST', '/v1/beneficiaries', {
      projectId: PROJECT,
      externalId: 'again-api',
      name: 'New Name A',
      phone: '+9779841000301',
      location: 'Ward 4',
    });
    expect(reRegistered.status).toBe(202);
    // Polled until ACTIVE: the row reads FAILED until the new registration has stored it.
    const again = await eventually(
      async () => (await call(sys.api.url, 'GET', reRegistered.body.links.self)).body,
      (b) => b.status === 'ACTIVE',
      60_000,
    );
    const upload = await call(
      sys.api.url,
      'POST',
      `/v1/imports?projectId=${PROJECT}`,
      'externalId,name,phone\nagain-import,New Name B,+9779841000302\n',
      { headers: { 'content-type': 'text/csv' } },
    );
    expect(upload.status).toBe(202);
    const imported = await eventually(
      async () => (await call(sys.api.url, 'GET', `/v1/imports/${upload.body.id}`)).body,
      (b) => Boolean(b.finishedAt),
      120_000,
    );

    expect(again).toMatchObject({ id: byApi.id, status: 'ACTIVE', walletAddress: byApi.walletAddress, profile: { location: 'Ward 4' } });
    expect(again.failureReason).toBeUndefined();
    expect(imported).toMatchObject({ status: 'COMPLETED', rows: { total: 1, duplicate: 0, enrolled: 1, failed: 0 } });
    for (const [person, name] of [
      [byApi, 'New Name A'],
      [byImport, 'New Name B'],
    ] as const) {
      const row = await sys.prisma.beneficiary.findUniqueOrThrow({ where: { id: person.id }, include: { wallet: true } });
      const personal = await call(sys.api.url, 'GET', `/v1/beneficiaries/${person.id}/personal`);
      const payouts = await sys.prisma.payout.findMany({ where: { beneficiaryId: person.id, batchId } });
      expect(row).toMatchObject({ status: 'ACTIVE', failureReason: null });
      expect(row.wallet?.address).toBe(person.walletAddress);
      expect(personal.body.personal.name).toBe(name);
      expect(payouts).toEqual([
        expect.objectContaining({ status: 'FAILED', failureReason: expect.stringMatching(/^BeneficiaryNotActive/) }),
      ]);
    }
    expect(await sys.prisma.beneficiary.count({ where: { projectId: PROJECT, externalId: { in: ['again-api', 'again-import'] } } })).toBe(
      2,
    );
  }, 240_000);
});
