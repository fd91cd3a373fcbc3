import pino from 'pino';
import { developmentAdmin, ensureFirstAdmin } from '../../api/auth/bootstrap';
import { startApi } from '../../api/server';
import { loadConfig } from '../../common/config';
import { createPrisma, type PrismaClient } from '../../common/db';
import { migrate } from '../../prisma/migrate';
import { createScratchDatabase } from '../../scripts/stack/scratch-database';
import { call } from '../support/system';

/** The first admin comes from ADMIN_EMAIL / ADMIN_PASSWORD, on an empty database only. */
let db: { url: string; drop(): Promise<void> };
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createScratchDatabase(process.env.DATABASE_URL!, 'first_admin');
  await migrate(db.url);
  prisma = createPrisma(db.url, { max: 2 });
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

const configWith = (admin: Record<string, string>) => loadConfig({ ...process.env, DATABASE_URL: db.url, API_PORT: '0', ...admin });

describe('first admin', () => {
  it('When the API starts on a database without users, Then the configured admin exists and can log in', async () => {
    const api = await startApi(
      configWith({ ADMIN_EMAIL: 'Root@Example.org', ADMIN_PASSWORD: 'first-admin-password' }),
      pino({ level: 'silent' }),
    );
    try {
      const res = await call(api.url, 'POST', '/v1/auth/login', { email: 'root@example.org', password: 'first-admin-password' });
      expect(res.status).toBe(200);
      expect((await call(api.url, 'GET', '/v1/users', undefined, { auth: { bearer: res.body.accessToken } })).body.items).toEqual([
        expect.objectContaining({ email: 'root@example.org', role: 'admin', disabled: false }),
      ]);
    } finally {
      await api.close();
    }
  });

  it('When users exist, Then another start with other values creates nobody and changes no password', async () => {
    const api = await startApi(
      configWith({ ADMIN_EMAIL: 'second@example.org', ADMIN_PASSWORD: 'second-admin-password' }),
      pino({ level: 'silent' }),
    );
    try {
      expect(await prisma.user.count()).toBe(1);
      expect((await call(api.url, 'POST', '/v1/auth/login', { email: 'root@example.org', password: 'first-admin-password' })).status).toBe(
        200,
      );
    } finally {
      await api.close();
    }
  });

  it('When several processes bootstrap at once on an empty database, Then exactly one admin is created', async () => {
    await prisma.refreshToken.deleteMany();
    await prisma.user.deleteMany();
    const created = await Promise.all([1, 2, 3].map(() => ensureFirstAdmin(prisma, developmentAdmin())));

    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await prisma.user.count()).toBe(1);
  });
});
