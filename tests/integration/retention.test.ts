import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { getAddress, hexlify } from 'ethers';
import { Client as PgClient } from 'pg';
import { RETENTION_STATEMENTS, type RetentionParams } from '../../activities/retention-sql';
import { createDataConverter } from '../../common/data-converter';
import { RETENTION_KINDS, type RetentionKind } from '../../common/retention';
import { migrate } from '../../prisma/migrate';
import { createScratchDatabase } from '../../scripts/stack/scratch-database';
import type { retentionWorkflow } from '../../workflows/retention';
import { seedActiveBeneficiaries } from '../support/beneficiaries';
import { RETENTION_VOLUME_SQL } from '../support/retention-volume';
import { startSystem, type System } from '../support/system';

/*
 * The retention workflow against the real worker and database: rows of every kind, old and
 * recent, still needed and not, seeded directly; one run; then what is left. Default settings:
 * outbox and webhook deliveries 30 days, chain transactions 90, idempotency 0 after expiry,
 * refresh tokens 30, audit log 2557 (7 years).
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const hash = () => hexlify(randomBytes(32));
let sys: System;
let client: Client;
let connection: Connection;
/** An account of its own for the seeded transactions, so no real signer's nonces are touched. */
const SIGNER = getAddress(hexlify(randomBytes(20)));
/** The default settings' days per kind (audit: 7 years). */
const RETENTION_DAYS: Record<RetentionKind, number> = {
  webhookDeliveries: 30,
  outboxEvents: 30,
  chainTransactions: 90,
  idempotencyRecords: 0,
  refreshTokens: 30,
  auditLogs: 2557,
};
/** A scratch database filled to retention's steady state, for the query plans. */
let volume: PgClient;
let volumeDb: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  sys = await startSystem();
  connection = await Connection.connect({ address: sys.config.temporal.address });
  client = new Client({ connection, dataConverter: createDataConverter(sys.config.pii) });
  // Its nonce past the seeded ones: a worker's chain-identity check must not take them for a lost chain.
  await sys.provider.send('anvil_setNonce', [SIGNER, '0x3e8']);
  volumeDb = await createScratchDatabase(process.env.DATABASE_URL!, 'retention_volume');
  await migrate(volumeDb.url);
  volume = new PgClient({ connectionString: volumeDb.url });
  await volume.connect();
  await volume.query(RETENTION_VOLUME_SQL);
}, 120_000);

afterAll(async () => {
  await volume?.end();
  await volumeDb?.drop();
  await sys?.prisma.chainTransaction.deleteMany({ where: { fromAddress: SIGNER } });
  await connection?.close();
  await sys?.stop();
});

const runRetention = (batchSize?: number) =>
  client.workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
    taskQueue: sys.config.temporal.taskQueue,
    workflowId: `retention-now-${randomUUID()}`,
    args: [batchSize ? { batchSize } : {}],
  });

async function seedEvent(opts: { createdDaysAgo: number; relayedDaysAgo: number | null }): Promise<string> {
  const id = randomUUID();
  const relayed = opts.relayedDaysAgo === null ? null : ago(opts.relayedDaysAgo);
  await sys.prisma.outboxEvent.create({
    data: {
      id,
      type: 'retention.seeded',
      aggregateId: id,
      data: {},
      createdAt: ago(opts.createdDaysAgo),
      publishedAt: relayed,
      fannedOutAt: relayed,
    },
  });
  return id;
}

async function seedDelivery(subscriptionId: string, eventId: string, status: 'PENDING' | 'DELIVERED' | 'DEAD', updatedDaysAgo: number) {
  const id = randomUUID();
  // Not due for weeks: the worker's relay must not attempt it during the test.
  await sys.prisma.webhookDelivery.create({
    data: { id, subscriptionId, eventId, status, nextAttemptAt: new Date(Date.now() + 30 * DAY) },
  });
  await sys.prisma.$executeRaw`UPDATE webhook_deliveries SET updated_at = ${ago(updatedDaysAgo)} WHERE id = ${id}::uuid`;
  return id;
}

async function seedTx(nonce: number, opts: { createdDaysAgo: number; block: number; status?: 'MINED' | 'BROADCAST'; reorged?: boolean }) {
  const id = randomUUID();
  const [original, bump] = [hash(), hash()];
  const mined = (opts.status ?? 'MINED') === 'MINED';
  await sys.prisma.chainTransaction.create({
    data: {
      id,
      purpose: `retention-test:${id}`,
      chainId: Number((await sys.provider.getNetwork()).chainId),
      fromAddress: SIGNER,
      nonce,
      toAddress: SIGNER,
      data: '0xdeadbeef',
      gasLimit: 21_000n,
      maxFeePerGas: '2',
      maxPriorityFeePerGas: '1',
      rawTx: '0x02signed-bump',
      hash: bump,
      status: opts.status ?? 'MINED',
      minedHash: mined ? bump : null,
      blockNumber: mined ? BigInt(opts.block) : null,
      blockHash: mined ? hash() : null,
      succeeded: mined ? true : null,
      gasUsed: mined ? 21_000n : null,
      reorgedAt: opts.reorged ? new Date() : null,
      createdAt: ago(opts.createdDaysAgo),
      versions: {
        create: [
          { hash: original, nonce, kind: 'ORIGINAL', rawTx: '0x02signed-original', maxFeePerGas: '1', maxPriorityFeePerGas: '1' },
          { hash: bump, nonce, kind: 'BUMP', rawTx: '0x02signed-bump', maxFeePerGas: '2', maxPriorityFeePerGas: '1' },
        ],
      },
    },
  });
  return { id, original, bump };
}

async function seedRefreshToken(opts: { familyId?: string; expiresInDays: number; revokedDaysAgo?: number }) {
  const id = randomUUID();
  await sys.prisma.refreshToken.create({
    data: {
      id,
      userId: sys.admin.id,
      familyId: opts.familyId ?? randomUUID(),
      tokenHash: randomBytes(32).toString('hex'),
      expiresAt: new Date(Date.now() + opts.expiresInDays * DAY),
      revokedAt: opts.revokedDaysAgo === undefined ? null : ago(opts.revokedDaysAgo),
    },
  });
  return id;
}

async function seedAudit(daysAgo: number): Promise<bigint> {
  const row = await sys.prisma.auditLog.create({
    data: {
      at: ago(daysAgo),
      actorKind: 'user',
      actorId: 'retention-test',
      action: 'POST /v1/projects',
      requestId: randomUUID(),
      status: 201,
    },
  });
  return row.id;
}

describe('retention', () => {
  it('When the worker starts, Then its retention schedule exists for its task queue, hourly, never two runs at once', async () => {
    const schedule = await client.schedule.getHandle(`retention-${sys.config.temporal.taskQueue}`).describe();

    expect(schedule.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'retentionWorkflow',
      taskQueue: sys.config.temporal.taskQueue,
    });
    expect(schedule.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
  });

  it('When retention runs, Then what is old and no longer needed is gone, and what is recent, still needed or audit is kept', async () => {
    const sub = randomUUID();
    await sys.prisma.webhookSubscription.create({
      data: { id: sub, url: 'http://127.0.0.1:9/', eventTypes: ['never.emitted'], secretEncrypted: 'x', createdBy: 'retention-test' },
    });
    // Outbox events: relayed long ago (three, so a batch size of 2 needs a second round), one with
    // a delivery still pending, ones whose deliveries are finished, recently relayed, never relayed.
    const oldRelayed = [
      await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 100 }),
      await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 100 }),
      await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 100 }),
    ];
    const withPending = await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 100 });
    const withDelivered = await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 100 });
    const withDead = await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 100 });
    const withRecentDead = await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 100 });
    const recentlyRelayed = await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: 1 });
    const unrelayed = await seedEvent({ createdDaysAgo: 100, relayedDaysAgo: null });
    const pending = await seedDelivery(sub, withPending, 'PENDING', 100);
    const delivered = await seedDelivery(sub, withDelivered, 'DELIVERED', 100);
    const dead = await seedDelivery(sub, withDead, 'DEAD', 100);
    const recentDead = await seedDelivery(sub, withRecentDead, 'DEAD', 1);
    // Chain transactions: final and old (pruned), recent, within the reorg horizon, reorged, unmined.
    await sys.provider.send('anvil_mine', ['0x64']);
    const head = await sys.provider.getBlockNumber();
    const finalOld = await seedTx(1, { createdDaysAgo: 100, block: head - 80 });
    const finalRecent = await seedTx(2, { createdDaysAgo: 10, block: head - 80 });
    const inHorizon = await seedTx(3, { createdDaysAgo: 100, block: head - 10 });
    const reorged = await seedTx(4, { createdDaysAgo: 100, block: head - 80, reorged: true });
    const unmined = await seedTx(5, { createdDaysAgo: 100, block: 0, status: 'BROADCAST' });
    const [person] = await seedActiveBeneficiaries(sys.prisma, 'retention', 1);
    await sys.prisma.payout.create({
      data: {
        id: `retention-${randomUUID()}`,
        projectId: 'retention',
        beneficiaryId: person!.id,
        amount: '5',
        status: 'CONFIRMED',
        txHash: finalOld.bump,
        blockNumber: BigInt(head - 80),
      },
    });
    // Idempotency records: expired, live, expired while its request still holds the lease.
    const idem = (key: string, expiresAt: Date, lockedUntil: Date | null, responseStatus: number | null) =>
      sys.prisma.idempotencyRecord.create({
        data: { actor: 'user:retention', key, fingerprint: 'f'.repeat(64), expiresAt, lockedUntil, responseStatus },
      });
    await idem('expired', ago(2), null, 202);
    await idem('live', new Date(Date.now() + 3_600_000), null, 202);
    await idem('expired-running', ago(1), new Date(Date.now() + 3_600_000), null);
    // Refresh tokens: long expired (revoked or not), recently expired, revoked but not expired (a
    // rotated token of a live session: presenting it again must still end the session).
    const longExpired = await seedRefreshToken({ expiresInDays: -40 });
    const longExpiredRevoked = await seedRefreshToken({ expiresInDays: -40, revokedDaysAgo: 50 });
    const recentlyExpired = await seedRefreshToken({ expiresInDays: -10 });
    const family = randomUUID();
    const rotated = await seedRefreshToken({ familyId: family, expiresInDays: 1, revokedDaysAgo: 13 });
    const live = await seedRefreshToken({ familyId: family, expiresInDays: 14 });
    // Audit: months old (kept: the audit log is kept longest), and older than its 7 years.
    const auditMonths = await seedAudit(100);
    const auditOverSevenYears = await seedAudit(2600);
    const recentAudit = await sys.prisma.auditLog.count({ where: { at: { gt: ago(2557) } } });

    const result = await runRetention(2);

    expect(Object.keys(result).sort()).toEqual([...RETENTION_KINDS].sort());
    const events = (await sys.prisma.outboxEvent.findMany({ where: { type: 'retention.seeded' }, select: { id: true } })).map((e) => e.id);
    expect(events.sort()).toEqual([withPending, withRecentDead, recentlyRelayed, unrelayed].sort());
    for (const gone of [...oldRelayed, withDelivered, withDead]) expect(events).not.toContain(gone);
    const deliveries = (await sys.prisma.webhookDelivery.findMany({ where: { subscriptionId: sub }, select: { id: true } })).map(
      (d) => d.id,
    );
    expect(deliveries.sort()).toEqual([pending, recentDead].sort());
    expect(deliveries).not.toContain(delivered);
    expect(deliveries).not.toContain(dead);

    const txs = await sys.prisma.chainTransaction.findMany({
      where: { fromAddress: SIGNER },
      include: { versions: true },
      orderBy: { nonce: 'asc' },
    });
    expect(txs).toHaveLength(5);
    const pruned = txs[0]!;
    expect(pruned).toMatchObject({
      id: finalOld.id,
      rawTx: '',
      data: '',
      minedHash: finalOld.bump,
      hash: finalOld.bump,
      status: 'MINED',
      gasUsed: 21_000n,
    });
    expect(pruned.payloadPrunedAt).not.toBeNull();
    expect(pruned.versions.map((v) => [v.hash, v.kind, v.rawTx])).toEqual([[finalOld.bump, 'BUMP', '']]);
    for (const [i, kept] of [finalRecent, inHorizon, reorged, unmined].entries()) {
      expect(txs[i + 1]).toMatchObject({ id: kept.id, rawTx: '0x02signed-bump', data: '0xdeadbeef', payloadPrunedAt: null });
      expect(txs[i + 1]!.versions.map((v) => v.hash).sort()).toEqual([kept.original, kept.bump].sort());
    }
    const payout = await sys.prisma.payout.findFirstOrThrow({ where: { projectId: 'retention' } });
    expect(await sys.prisma.chainTransaction.findFirst({ where: { minedHash: payout.txHash } })).toMatchObject({ id: finalOld.id });

    const keys = (await sys.prisma.idempotencyRecord.findMany({ where: { actor: 'user:retention' } })).map((r) => r.key);
    expect(keys.sort()).toEqual(['expired-running', 'live']);
    const tokens = await sys.prisma.refreshToken.findMany({
      where: { id: { in: [longExpired, longExpiredRevoked, recentlyExpired, rotated, live] } },
    });
    expect(tokens.map((t) => t.id).sort()).toEqual([recentlyExpired, rotated, live].sort());
    const audit = (await sys.prisma.auditLog.findMany({ where: { actorId: 'retention-test' } })).map((a) => a.id);
    expect(audit).toEqual([auditMonths]);
    expect(audit).not.toContain(auditOverSevenYears);
    expect(await sys.prisma.auditLog.count({ where: { at: { gt: ago(2557) } } })).toBe(recentAudit);

    // A second run finds nothing left to do.
    const again = await runRetention();
    expect(Object.values(again).every((n) => n === 0)).toBe(true);
  }, 120_000);

  it.each<[RetentionKind, RegExp[]]>([
    ['webhookDeliveries', [/webhook_deliveries_status_updated_at_idx/]],
    ['outboxEvents', [/outbox_events_(published|fanned_out)_at_created_at_idx/, /webhook_deliveries_event_id_idx/]],
    ['chainTransactions', [/chain_transactions_payload_pruned_at_created_at_idx/, /chain_transaction_versions_tx_id_nonce_idx/]],
    ['idempotencyRecords', [/idempotency_records_expires_at_idx/]],
    ['refreshTokens', [/refresh_tokens_expires_at_idx/]],
    ['auditLogs', [/audit_logs_at_idx/]],
  ])(
    'When the %s statement is planned on a filled database, Then it finds its rows through its index and scans no table',
    async (kind, indexes) => {
      const params: RetentionParams = { now: new Date(), cutoff: ago(RETENTION_DAYS[kind]), limit: 5000, chainId: 1, safeBlock: 39_990n };
      const statement = RETENTION_STATEMENTS[kind](params);

      const { rows } = await volume.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.values);

      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      for (const index of indexes) expect(plan).toMatch(index);
      expect(plan).not.toMatch(/Seq Scan/);
    },
  );
});
