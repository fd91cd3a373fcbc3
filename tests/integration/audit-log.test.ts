import { apiKey, userToken } from '../support/security-fixture';
import { call, startSystem, type System } from '../support/system';

/** Every mutation by an identified caller is recorded once, by the router, without personal data. */
let sys: System;
const rowsFor = (requestId: string | null) => sys.prisma.auditLog.findMany({ where: { requestId: requestId ?? '' } });

beforeAll(async () => {
  sys = await startSystem();
}, 60_000);

afterAll(async () => {
  await sys?.stop();
});

describe('what is recorded', () => {
  it('When an admin creates a project, Then one row names the admin, the route template, the new id, the request id and 201', async () => {
    const res = await call(sys.api.url, 'POST', '/v1/projects', { id: 'audit-a', name: 'Audited' });

    expect(res.status).toBe(201);
    const rows = await rowsFor(res.headers.get('x-request-id'));
    expect(rows).toEqual([
      {
        id: expect.any(BigInt),
        at: expect.any(Date),
        actorKind: 'user',
        actorId: sys.admin.id,
        action: 'POST /v1/projects',
        targetId: 'audit-a',
        requestId: res.headers.get('x-request-id'),
        status: 201,
      },
    ]);
  });

  it('When an identified caller is refused (403, 400, 404), Then the refusal is recorded with its status and the id it targeted', async () => {
    const viewer = await userToken(sys, 'viewer');
    const forbidden = await call(sys.api.url, 'POST', '/v1/projects', { id: 'audit-b', name: 'x' }, { auth: { bearer: viewer.token } });
    const invalid = await call(sys.api.url, 'POST', '/v1/projects', { id: 'Bad Id', name: 'x' });
    const missing = await call(sys.api.url, 'DELETE', '/v1/api-keys/00000000-0000-4000-8000-000000000000');

    expect([forbidden.status, invalid.status, missing.status]).toEqual([403, 400, 404]);
    expect((await rowsFor(forbidden.headers.get('x-request-id'))).map((r) => [r.actorId, r.status])).toEqual([[viewer.id, 403]]);
    expect((await rowsFor(invalid.headers.get('x-request-id'))).map((r) => r.status)).toEqual([400]);
    expect((await rowsFor(missing.headers.get('x-request-id'))).map((r) => [r.action, r.targetId])).toEqual([
      ['DELETE /v1/api-keys/:id', '00000000-0000-4000-8000-000000000000'],
    ]);
  });

  it('When the caller is an API key, Then the row names the key', async () => {
    const key = await apiKey(sys, ['audit-a'], ['distributions:write']);
    // Refused by the business rules (no such beneficiary): nothing is left running on chain.
    const body = { projectId: 'audit-a', beneficiaryId: '00000000-0000-4000-8000-000000000000', amount: '1' };
    const res = await call(sys.api.url, 'POST', '/v1/tokens/distribute', body, { auth: { apiKey: key.key } });

    expect(res.status).toBe(422);
    expect((await rowsFor(res.headers.get('x-request-id'))).map((r) => [r.actorKind, r.actorId, r.status])).toEqual([
      ['api-key', key.id, 422],
    ]);
  });

  it('When the caller is unidentified or only reads, Then nothing is recorded', async () => {
    const before = await sys.prisma.auditLog.count();
    const anonymous = await call(sys.api.url, 'POST', '/v1/projects', { id: 'audit-c', name: 'x' }, { auth: 'none' });
    const badToken = await call(sys.api.url, 'POST', '/v1/projects', { id: 'audit-c', name: 'x' }, { auth: { bearer: 'a.b.c' } });
    const read = await call(sys.api.url, 'GET', '/v1/projects/audit-a');
    const failedLogin = await call(
      sys.api.url,
      'POST',
      '/v1/auth/login',
      { email: sys.admin.email, password: 'wrong-password' },
      { auth: 'none' },
    );

    expect([anonymous.status, badToken.status, read.status, failedLogin.status]).toEqual([401, 401, 200, 401]);
    expect(await sys.prisma.auditLog.count()).toBe(before);
  });

  it('When a user logs in or creates a user, Then the rows hold neither email nor password', async () => {
    const loggedIn = await call(
      sys.api.url,
      'POST',
      '/v1/auth/login',
      { email: sys.admin.email, password: sys.admin.password },
      { auth: 'none' },
    );
    const created = await call(sys.api.url, 'POST', '/v1/users', {
      email: 'Audit.Person@example.org',
      password: 'audit-secret-password',
      role: 'viewer',
    });

    expect((await rowsFor(loggedIn.headers.get('x-request-id'))).map((r) => [r.actorId, r.action])).toEqual([
      [sys.admin.id, 'POST /v1/auth/login'],
    ]);
    expect((await rowsFor(created.headers.get('x-request-id'))).map((r) => r.targetId)).toEqual([created.body.id]);
    const everything = JSON.stringify(await sys.prisma.auditLog.findMany(), (_k, v) =>
      typeof v === 'bigint' ? v.toString() : v,
    ).toLowerCase();
    for (const secret of ['audit.person', 'audit-secret-password', sys.admin.email.toLowerCase(), sys.admin.password])
      expect(everything).not.toContain(secret);
  });
});

describe('GET /v1/audit', () => {
  it('When filtered by actor, action and time, Then only matching rows come back, newest first', async () => {
    const since = new Date().toISOString();
    const viewer = await userToken(sys, 'viewer');
    const refused: (string | null)[] = [];
    for (const id of ['audit-f1', 'audit-f2']) {
      refused.push(
        (await call(sys.api.url, 'POST', '/v1/projects', { id, name: id }, { auth: { bearer: viewer.token } })).headers.get('x-request-id'),
      );
    }
    await call(sys.api.url, 'POST', '/v1/projects', { id: 'audit-f3', name: 'x' });
    await call(sys.api.url, 'POST', '/v1/users', { email: 'f4@example.org', password: 'x' }, { auth: { bearer: viewer.token } });

    const q = new URLSearchParams({ actor: viewer.id, action: 'POST /v1/projects', since });
    const res = await call(sys.api.url, 'GET', `/v1/audit?${q}`);

    expect(res.status).toBe(200);
    expect(res.body.items.map((r: { requestId: string; status: number }) => [r.requestId, r.status])).toEqual([
      [refused[1], 403],
      [refused[0], 403],
    ]);
  });

  it('When read a page at a time, Then every row appears exactly once', async () => {
    // This suite's admin only: other suites of the same run share the table.
    const total = await sys.prisma.auditLog.count({ where: { actorId: sys.admin.id } });
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(sys.api.url, 'GET', `/v1/audit?actor=${sys.admin.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(total).toBeGreaterThan(6);
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect((await call(sys.api.url, 'GET', '/v1/audit?cursor=bm9wZQ')).status).toBe(400);
  });
});
