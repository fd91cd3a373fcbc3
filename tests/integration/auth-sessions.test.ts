import { sha256 } from '../../api/auth/tokens';
import { call, startSystem, type System } from '../support/system';

/** Password login, refresh-token rotation, logout and disabling, against the real API and database. */
let sys: System;
const login = (email: string, password: string) => call(sys.api.url, 'POST', '/v1/auth/login', { email, password }, { auth: 'none' });
const refresh = (refreshToken: string) => call(sys.api.url, 'POST', '/v1/auth/refresh', { refreshToken }, { auth: 'none' });
const asBearer = (token: string) => ({ auth: { bearer: token } });

beforeAll(async () => {
  sys = await startSystem({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
}, 60_000);

afterAll(async () => {
  await sys?.stop();
});

async function newUser(role: string, projects: string[] = []) {
  const email = `${role}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.org`;
  const password = `pw-${Math.random().toString(36)}-long`;
  const res = await call(sys.api.url, 'POST', '/v1/users', { email, password, role, projects });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, email, password };
}

describe('login', () => {
  it('When the password is right, Then a 15-minute Bearer token and a refresh token come back, not cached', async () => {
    const res = await login(sys.admin.email, sys.admin.password);

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.stringMatching(/^rt_/),
      refreshExpiresAt: expect.any(String),
    });
    expect((await call(sys.api.url, 'GET', '/v1/users', undefined, asBearer(res.body.accessToken))).status).toBe(200);
    const stored = await sys.prisma.refreshToken.findUniqueOrThrow({ where: { tokenHash: sha256(res.body.refreshToken) } });
    expect(stored.userId).toBe(sys.admin.id);
  });

  it('When the email is given in another case, Then it still logs in', async () => {
    expect((await login(sys.admin.email.toUpperCase(), sys.admin.password)).status).toBe(200);
  });

  it('When the password is wrong or the email unknown, Then both answer the same 401 and no session is created', async () => {
    const before = await sys.prisma.refreshToken.count();
    const wrong = await login(sys.admin.email, `${sys.admin.password}x`);
    const unknown = await login('nobody@example.org', sys.admin.password);

    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(await sys.prisma.refreshToken.count()).toBe(before);
  });
});

describe('users', () => {
  it('When an admin creates a user, Then only the argon2id hash is stored and the user acts with its role', async () => {
    const viewer = await newUser('viewer');
    const row = await sys.prisma.user.findUniqueOrThrow({ where: { id: viewer.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(viewer.password);

    const session = await login(viewer.email, viewer.password);
    const token = session.body.accessToken;
    expect((await call(sys.api.url, 'POST', '/v1/projects', { id: 'viewer-made', name: 'x' }, asBearer(token))).status).toBe(403);
    expect(await sys.prisma.project.count({ where: { id: 'viewer-made' } })).toBe(0);
  });

  it('When the email is taken, the role needs projects, or a project is unknown, Then 409, 400 and 422', async () => {
    const existing = await newUser('operator');
    const body = { email: existing.email.toUpperCase(), password: 'another-long-password', role: 'viewer' };
    expect((await call(sys.api.url, 'POST', '/v1/users', body)).status).toBe(409);
    const pm = await call(sys.api.url, 'POST', '/v1/users', { ...body, email: 'pm@example.org', role: 'project-manager' });
    expect(pm.status).toBe(400);
    expect(pm.body.errors).toEqual([{ field: 'body.projects', message: 'a project manager needs at least one project' }]);
    expect(
      (await call(sys.api.url, 'POST', '/v1/users', { ...body, email: 'pm@example.org', role: 'project-manager', projects: ['nope'] }))
        .status,
    ).toBe(422);
  });

  it('When users are listed a page at a time, Then every user appears once', async () => {
    for (let i = 0; i < 3; i++) await newUser('viewer');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(sys.api.url, 'GET', `/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(await sys.prisma.user.count());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('When an admin tries to disable themself, Then 409', async () => {
    expect((await call(sys.api.url, 'POST', `/v1/users/${sys.admin.id}/disable`)).status).toBe(409);
  });
});

describe('refresh, reuse and logout', () => {
  it('When a refresh token is used, Then it is replaced; used again, Then the whole session ends', async () => {
    const first = (await login(sys.admin.email, sys.admin.password)).body;
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);

    const replayed = await refresh(first.refreshToken);
    expect(replayed.status).toBe(401);
    // The thief or the owner, whoever comes next, must log in again.
    expect((await refresh(second.body.refreshToken)).status).toBe(401);
  });

  it('When the user logs out, Then the refresh token stops working', async () => {
    const session = (await login(sys.admin.email, sys.admin.password)).body;
    const out = await call(sys.api.url, 'POST', '/v1/auth/logout', { refreshToken: session.refreshToken }, { auth: 'none' });

    expect(out.status).toBe(204);
    expect((await refresh(session.refreshToken)).status).toBe(401);
  });

  it('When a user is disabled, Then their access token, refresh token and password stop working at once', async () => {
    const user = await newUser('operator');
    const session = (await login(user.email, user.password)).body;
    expect((await call(sys.api.url, 'GET', '/v1/queues', undefined, asBearer(session.accessToken))).status).toBe(200);

    expect((await call(sys.api.url, 'POST', `/v1/users/${user.id}/disable`)).body.disabled).toBe(true);

    expect((await call(sys.api.url, 'GET', '/v1/queues', undefined, asBearer(session.accessToken))).status).toBe(401);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(401);
  });
});
