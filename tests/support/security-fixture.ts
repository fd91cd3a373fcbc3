import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../api/auth/passwords';
import { toDbRole, type Role } from '../../api/auth/roles';
import { issueAccessToken } from '../../api/auth/tokens';
import type { ExampleContext } from '../fixtures/route-examples';
import { call, eventually, type System } from './system';

/** A project with an ACTIVE beneficiary, a confirmed distribution, a finished batch, a group and a finished import. */
export async function seedProject(sys: System, project: string): Promise<ExampleContext> {
  const base = sys.api.url;
  expect((await call(base, 'POST', '/v1/projects', { id: project, name: `Security ${project}` })).status).toBe(201);
  const registered = await call(base, 'POST', '/v1/beneficiaries', { projectId: project, externalId: 'security-fixture-active' });
  expect(registered.status).toBe(202);
  const beneficiaryId: string = registered.body.id;
  const active = await eventually(
    async () => (await call(base, 'GET', `/v1/beneficiaries/${beneficiaryId}`)).body,
    (b) => b.status === 'ACTIVE',
  );
  await sys.fundProject(project);
  const distributionId = `security-${project}`;
  const paid = await call(base, 'POST', '/v1/tokens/distribute', { projectId: project, beneficiaryId, amount: '1', distributionId });
  expect(paid.status).toBe(202);
  await eventually(
    async () => (await call(base, 'GET', paid.body.links.self)).body.status,
    (s) => s === 'CONFIRMED',
  );
  // A finished batch row is enough for the batch routes' scope checks; paying one is the
  // batch tests' business.
  const batchId = `security-batch-${project}`;
  await sys.prisma.distributionBatch.create({
    data: { id: batchId, projectId: project, status: 'COMPLETED', target: { inline: true }, chunkSize: 1 },
  });
  const group = await call(base, 'POST', '/v1/groups', { projectId: project, name: 'security fixture' });
  expect(group.status).toBe(201);
  const importId = randomUUID();
  await sys.prisma.beneficiaryImport.create({
    data: {
      id: importId,
      projectId: project,
      source: 'csv',
      dryRun: true,
      deployWallets: false,
      chunkSize: 1,
      status: 'VALIDATED',
      finishedAt: new Date(),
    },
  });
  return { project, beneficiaryId, distributionId, batchId, walletAddress: active.walletAddress, groupId: group.body.id, importId };
}

/** A user of `role` straight in the database, and an access token for them. */
export async function userToken(sys: System, role: Role, projects: string[] = []): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  await sys.prisma.user.create({
    data: { id, email: `${role}-${id}@test.local`, passwordHash: await hashPassword(randomUUID()), role: toDbRole(role), projects },
  });
  return { id, token: await issueAccessToken(sys.config.security.jwtSecret, id) };
}

/** An API key created through the API by the suite's admin. */
export async function apiKey(
  sys: System,
  projects: string[],
  permissions: string[],
  name = 'test key',
): Promise<{ id: string; key: string }> {
  const res = await call(sys.api.url, 'POST', '/v1/api-keys', { name, projects, permissions });
  expect(res.status).toBe(201);
  return { id: res.body.id, key: res.body.key };
}

/** Row counts of every table of the public schema, in one query. */
export async function tableCounts(sys: System): Promise<Record<string, number>> {
  const tables = await sys.prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`;
  const sql = tables.map((t) => `SELECT '${t.name}' AS name, count(*)::int AS n FROM "${t.name}"`).join(' UNION ALL ');
  const rows = await sys.prisma.$queryRawUnsafe<{ name: string; n: number }[]>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}
