import { sha256 } from '../../api/auth/tokens';
import { apiKey } from '../support/security-fixture';
import { call, eventually, startSystem, type System } from '../support/system';

/** API keys for external apps: shown once, stored hashed, scoped, expiring, revocable. */
let sys: System;
const asKey = (key: string) => ({ auth: { apiKey: key } });

beforeAll(async () => {
  sys = await startSystem();
  for (const id of ['keys-a', 'keys-b']) expect((await call(sys.api.url, 'POST', '/v1/projects', { id, name: id })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await sys?.stop();
});

describe('creating and listing', () => {
  it('When a key is created, Then it is shown once and only its sha256 is stored', async () => {
    const res = await call(sys.api.url, 'POST', '/v1/api-keys', {
      name: 'partner app',
      projects: ['keys-a'],
      permissions: ['projects:read'],
    });

    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.key).toMatch(new RegExp(`^rk_${res.body.prefix}_`));
    const row = await sys.prisma.apiKey.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.secretHash).toBe(sha256(res.body.key));
    expect(JSON.stringify(row)).not.toContain(res.body.key.split('_')[2]);
    const days = (row.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);

    const list = await call(sys.api.url, 'GET', '/v1/api-keys');
    const listed = list.body.items.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).toMatchObject({ name: 'partner app', prefix: res.body.prefix, projects: ['keys-a'], permissions: ['projects:read'] });
    expect(JSON.stringify(list.body)).not.toContain(res.body.key);
    expect(listed.secretHash).toBeUndefined();
  });

  it('When an admin-only permission, no project or an unknown project is asked for, Then 400, 400 and 422', async () => {
    const base = { name: 'k', projects: ['keys-a'], permissions: ['projects:read'] };
    const admin = await call(sys.api.url, 'POST', '/v1/api-keys', { ...base, permissions: ['users:manage'] });
    expect(admin.status).toBe(400);
    expect(admin.body.errors[0].field).toBe('body.permissions.0');
    expect((await call(sys.api.url, 'POST', '/v1/api-keys', { ...base, projects: [] })).status).toBe(400);
    expect((await call(sys.api.url, 'POST', '/v1/api-keys', { ...base, projects: ['keys-zz'] })).status).toBe(422);
  });
});

describe('using a key', () => {
  it('When a key is used, Then it acts within its projects and permissions only', async () => {
    const { key } = await apiKey(sys, ['keys-a'], ['projects:read']);

    expect((await call(sys.api.url, 'GET', '/v1/projects/keys-a', undefined, asKey(key))).status).toBe(200);
    expect((await call(sys.api.url, 'GET', '/v1/projects/keys-b', undefined, asKey(key))).status).toBe(403);
    expect((await call(sys.api.url, 'POST', '/v1/beneficiaries', { projectId: 'keys-a', externalId: 'k1' }, asKey(key))).status).toBe(403);
  });

  it('When a key is used, Then its last-used time is recorded, at most once a minute', async () => {
    const { id, key } = await apiKey(sys, ['keys-a'], ['projects:read']);
    expect((await sys.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeNull();

    await call(sys.api.url, 'GET', '/v1/projects/keys-a', undefined, asKey(key));
    const first = await eventually(
      async () => (await sys.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt,
      (t) => t !== null,
    );
    await call(sys.api.url, 'GET', '/v1/projects/keys-a', undefined, asKey(key));
    await new Promise((r) => setTimeout(r, 300));
    expect((await sys.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(first);

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await sys.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: twoMinutesAgo } });
    await call(sys.api.url, 'GET', '/v1/projects/keys-a', undefined, asKey(key));
    const later = await eventually(
      async () => (await sys.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt,
      (t) => t! > twoMinutesAgo,
    );
    expect(later!.getTime()).toBeGreaterThan(first!.getTime());
  });

  it('When a key is revoked, Then it stops working at once and revoking again is harmless', async () => {
    const { id, key } = await apiKey(sys, ['keys-a'], ['projects:read']);
    expect((await call(sys.api.url, 'DELETE', `/v1/api-keys/${id}`)).status).toBe(204);

    const refused = await call(sys.api.url, 'GET', '/v1/projects/keys-a', undefined, asKey(key));
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('the API key has been revoked');
    expect((await call(sys.api.url, 'DELETE', `/v1/api-keys/${id}`)).status).toBe(204);
    expect((await call(sys.api.url, 'DELETE', '/v1/api-keys/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('When a key has expired, Then it is refused', async () => {
    const { id, key } = await apiKey(sys, ['keys-a'], ['projects:read']);
    await sys.prisma.apiKey.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1) } });

    const refused = await call(sys.api.url, 'GET', '/v1/projects/keys-a', undefined, asKey(key));
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('the API key has expired');
  });
});
