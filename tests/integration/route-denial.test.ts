import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { ROLE_PERMISSIONS, ROLES, API_KEY_GRANTABLE } from '../../api/auth/roles';
import { AUDIENCE, ISSUER, issueAccessToken } from '../../api/auth/tokens';
import type { Permission } from '../../api/auth/permissions';
import type { RouteSpec } from '../../api/route-spec';
import { pathOf, ROUTE_EXAMPLES, routeKey, type ExampleContext } from '../fixtures/route-examples';
import { apiKey, seedProject, userToken } from '../support/security-fixture';
import { startOwnChain, type OwnChain } from '../support/own-chain';
import { call, startSystem, type CallAuth, type System } from '../support/system';

/*
 * Generated from the route table the API serves: every route × every way of being denied.
 * A route added without an example in tests/fixtures/route-examples.ts fails here.
 */
const PUBLIC = [
  'DELETE /codec/session',
  'GET /codec/login',
  'GET /docs',
  'GET /health',
  'GET /openapi.json',
  'POST /codec/session',
  'POST /v1/auth/login',
  'POST /v1/auth/logout',
  'POST /v1/auth/refresh',
];

// Each case sends every route of the table several times over: more than jest's default 5 s.
jest.setTimeout(60_000);

let chain: OwnChain;
let sys: System;
let routes: RouteSpec[];
let guarded: RouteSpec[];
let ctx: ExampleContext;

beforeAll(async () => {
  // A chain of its own: calling every route as the admin flips the treasury's pause switch.
  chain = await startOwnChain();
  sys = await startSystem({ ...chain.env, RATE_LIMIT_PER_MINUTE: '1000000' });
  routes = sys.api.routes;
  guarded = routes.filter((r) => r.permission !== 'public');
  ctx = await seedProject(sys, 'deny-b');
  expect((await call(sys.api.url, 'POST', '/v1/projects', { id: 'deny-a', name: 'Other project' })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await sys?.stop();
  await chain?.stop();
});

async function send(route: RouteSpec, auth: CallAuth, headers?: Record<string, string>) {
  const example = ROUTE_EXAMPLES[routeKey(route)](ctx);
  const qs = example.query ? `?${new URLSearchParams(example.query)}` : '';
  const body = example.raw ? example.raw.body : example.body;
  const type: Record<string, string> = example.raw ? { 'content-type': example.raw.contentType } : {};
  return call(sys.api.url, route.method.toUpperCase(), pathOf(route.path, example.params) + qs, body, {
    auth,
    headers: { ...type, ...headers },
  });
}

/** "<route> → <status>" for each route, so a failure lists every offending route at once. */
async function statuses(rs: RouteSpec[], auth: (r: RouteSpec) => CallAuth, headers?: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (const r of rs) out.push(`${routeKey(r)} → ${(await send(r, auth(r), headers)).status}`);
  return out;
}
const expecting = (rs: RouteSpec[], status: number | string) => rs.map((r) => `${routeKey(r)} → ${status}`);

describe('the route table', () => {
  it('When routes are declared, Then each has an example whose scope agrees with its permission', () => {
    const problems = routes.flatMap((r) => {
      const example = ROUTE_EXAMPLES[routeKey(r)];
      if (!example) return [`${routeKey(r)}: no example in tests/fixtures/route-examples.ts`];
      const { scope } = example(ctx);
      const expected = r.permission === 'public' ? ['public'] : API_KEY_GRANTABLE.has(r.permission) ? ['project', 'global'] : ['admin'];
      return expected.includes(scope) ? [] : [`${routeKey(r)}: scope ${scope}, expected ${expected.join(' or ')}`];
    });
    expect(problems).toEqual([]);
  });

  it('When routes are public, Then they are exactly the reviewed list', () => {
    expect(
      routes
        .filter((r) => r.permission === 'public')
        .map(routeKey)
        .sort(),
    ).toEqual(PUBLIC);
  });

  it('When the admin calls every route, Then none is refused for its credentials and none fails', async () => {
    const seen = await statuses(guarded, () => 'admin');
    expect(seen.filter((s) => / → (401|403|5\d\d)$/.test(s))).toEqual([]);
  });
});

describe('denied credentials', () => {
  it('When no credentials are sent, Then every guarded route answers 401 problem+json', async () => {
    expect(await statuses(guarded, () => 'none')).toEqual(expecting(guarded, 401));
    const one = await send(guarded[0], 'none');
    expect(one.headers.get('content-type')).toContain('application/problem+json');
  });

  it('When the token is expired, tampered, forged or unsigned, Then every guarded route answers 401', async () => {
    const secret = sys.config.security.jwtSecret;
    const viewer = await userToken(sys, 'viewer');
    const [h, p, s] = viewer.token.split('.');
    const asAdmin = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: sys.admin.id })).toString(
      'base64url',
    );
    const { privateKey } = await generateKeyPair('RS256');
    const claims = () =>
      new SignJWT({ role: 'admin' }).setSubject(sys.admin.id).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m');
    const tokens: Record<string, string> = {
      expired: await issueAccessToken(secret, sys.admin.id, Date.now() - 16 * 60_000),
      'payload changed to the admin': `${h}.${asAdmin}.${s}`,
      'signature altered': `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`,
      'signed with another secret': await issueAccessToken(`${secret}-but-another`, sys.admin.id),
      'alg none': new UnsecuredJWT({}).setSubject(sys.admin.id).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode(),
      'RS256 without an identity provider': await claims().setProtectedHeader({ alg: 'RS256' }).sign(privateKey),
      'unknown user': await issueAccessToken(secret, randomUUID()),
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(tokens)) {
      expect({ name, seen: await statuses(guarded, () => ({ bearer: token })) }).toEqual({ name, seen: expecting(guarded, 401) });
    }
  });

  it('When the user is disabled, or the API key is revoked, expired, wrong or sent with a token, Then 401', async () => {
    const disabled = await userToken(sys, 'admin');
    await sys.prisma.user.update({ where: { id: disabled.id }, data: { disabledAt: new Date() } });
    const all = [...API_KEY_GRANTABLE];
    const revoked = await apiKey(sys, ['deny-b'], all);
    expect((await call(sys.api.url, 'DELETE', `/v1/api-keys/${revoked.id}`)).status).toBe(204);
    const expired = await apiKey(sys, ['deny-b'], all);
    await sys.prisma.apiKey.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const valid = await apiKey(sys, ['deny-b'], all);
    const cases: Record<string, CallAuth> = {
      'disabled user': { bearer: disabled.token },
      'revoked key': { apiKey: revoked.key },
      'expired key': { apiKey: expired.key },
      'right prefix, wrong secret': { apiKey: `${valid.key.slice(0, -4)}AAAA` },
      'not a key': { apiKey: 'x' },
    };
    for (const [name, auth] of Object.entries(cases)) {
      expect({ name, seen: await statuses(guarded, () => auth) }).toEqual({ name, seen: expecting(guarded, 401) });
    }
    const both = await statuses(guarded, () => ({ apiKey: valid.key }), { authorization: `Bearer ${await sys.adminToken()}` });
    expect(both).toEqual(expecting(guarded, 401));
  });
});

describe('denied permissions and projects', () => {
  it('When the role or API key lacks the route permission, Then it answers 403', async () => {
    const tokens = Object.fromEntries(
      await Promise.all(
        ROLES.map(async (role) => [role, (await userToken(sys, role, role === 'project-manager' ? ['deny-b'] : [])).token]),
      ),
    );
    const lackingKeys = new Map<Permission, string>();
    for (const permission of new Set(guarded.map((r) => r.permission as Permission))) {
      const rest = [...API_KEY_GRANTABLE].filter((p) => p !== permission);
      lackingKeys.set(permission, (await apiKey(sys, ['deny-b'], rest)).key);
    }
    const seen: string[] = [];
    const expected: string[] = [];
    for (const r of guarded) {
      const permission = r.permission as Permission;
      const lacking = ROLES.filter((role) => !ROLE_PERMISSIONS[role].has(permission));
      for (const role of lacking) {
        seen.push(`${routeKey(r)} as ${role} → ${(await send(r, { bearer: tokens[role] })).status}`);
        expected.push(`${routeKey(r)} as ${role} → 403`);
      }
      seen.push(`${routeKey(r)} with a key lacking ${permission} → ${(await send(r, { apiKey: lackingKeys.get(permission)! })).status}`);
      expected.push(`${routeKey(r)} with a key lacking ${permission} → 403`);
    }
    expect(seen).toEqual(expected);
  });

  it('When an API key or project manager of another project calls a project route, Then 403 or 404; of its own, it passes', async () => {
    const scoped = guarded.filter((r) => ROUTE_EXAMPLES[routeKey(r)](ctx).scope === 'project');
    expect(scoped.length).toBeGreaterThan(5);
    const grantable = [...API_KEY_GRANTABLE];
    const other = { key: (await apiKey(sys, ['deny-a'], grantable)).key, pm: (await userToken(sys, 'project-manager', ['deny-a'])).token };
    const own = { key: (await apiKey(sys, ['deny-b'], grantable)).key, pm: (await userToken(sys, 'project-manager', ['deny-b'])).token };
    const deny = (s: number) => (s === 403 || s === 404 ? 'denied' : `not denied (${s})`);
    const pass = (s: number) => ([401, 403, 404].includes(s) || s >= 500 ? `refused (${s})` : 'passed');
    const seen: string[] = [];
    for (const r of scoped) {
      seen.push(`${routeKey(r)} other key: ${deny((await send(r, { apiKey: other.key })).status)}`);
      seen.push(`${routeKey(r)} other manager: ${deny((await send(r, { bearer: other.pm })).status)}`);
      seen.push(`${routeKey(r)} own key: ${pass((await send(r, { apiKey: own.key })).status)}`);
      seen.push(`${routeKey(r)} own manager: ${pass((await send(r, { bearer: own.pm })).status)}`);
    }
    const expected = scoped.flatMap((r) =>
      ['other key: denied', 'other manager: denied', 'own key: passed', 'own manager: passed'].map((e) => `${routeKey(r)} ${e}`),
    );
    expect(seen).toEqual(expected);
  });
});
