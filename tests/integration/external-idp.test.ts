import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { call, startSystem, type System } from '../support/system';

/** Tokens of an external identity provider, verified through a JWKS served by this test. */
const ISSUER = 'https://idp.test.local/';
const AUDIENCE = 'rahat-admin-tools';
let sys: System;
let jwks: Server;
let idpKey: KeyLike;
let publicPem: string;
let requests = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  idpKey = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] });
  jwks = createServer((req, res) => {
    requests++;
    res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  sys = await startSystem({ JWT_JWKS_URL: url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_ROLE_CLAIM: 'rahat_role' });
  for (const id of ['idp-a', 'idp-b']) expect((await call(sys.api.url, 'POST', '/v1/projects', { id, name: id })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await sys?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

type Claims = { role?: string; projects?: string[]; iss?: string; aud?: string; exp?: string | number; kid?: string; key?: KeyLike };
function idpToken(c: Claims = {}): Promise<string> {
  return new SignJWT({ rahat_role: c.role ?? 'admin', ...(c.projects ? { projects: c.projects } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: c.kid ?? 'idp-1' })
    .setSubject('idp-user-42')
    .setIssuer(c.iss ?? ISSUER)
    .setAudience(c.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(c.exp ?? '5m')
    .sign(c.key ?? idpKey);
}
const as = async (token: string | Promise<string>) => ({ auth: { bearer: await token } });

describe('external identity provider', () => {
  it('When its token carries a role, Then the caller acts with that role, keys fetched from the JWKS', async () => {
    expect((await call(sys.api.url, 'GET', '/v1/users', undefined, await as(idpToken({ role: 'admin' })))).status).toBe(200);
    expect((await call(sys.api.url, 'GET', '/v1/users', undefined, await as(idpToken({ role: 'viewer' })))).status).toBe(403);
    expect(requests).toBeGreaterThanOrEqual(1);
  });

  it('When its token names projects, Then the caller is scoped to them', async () => {
    const token = await as(idpToken({ role: 'project-manager', projects: ['idp-a'] }));

    expect((await call(sys.api.url, 'GET', '/v1/projects/idp-a', undefined, token)).status).toBe(200);
    expect((await call(sys.api.url, 'GET', '/v1/projects/idp-b', undefined, token)).status).toBe(403);
  });

  it('When it acts, Then the audit log names it by issuer subject', async () => {
    const res = await call(sys.api.url, 'POST', '/v1/projects', { id: 'idp-c', name: 'x' }, await as(idpToken()));

    expect(res.status).toBe(201);
    const row = await sys.prisma.auditLog.findFirstOrThrow({ where: { requestId: res.headers.get('x-request-id')! } });
    expect([row.actorKind, row.actorId]).toEqual(['user', 'idp:idp-user-42']);
  });

  it.each([
    ['another issuer', { iss: 'https://evil.test/' }],
    ['another audience', { aud: 'someone-else' }],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 60 }],
    ['an unknown role', { role: 'superuser' }],
    ['an unknown key id', { kid: 'idp-2' }],
  ] as [string, Claims][])('When the token has %s, Then 401', async (_name, claims) => {
    expect((await call(sys.api.url, 'GET', '/v1/queues', undefined, await as(idpToken(claims)))).status).toBe(401);
  });

  it('When a token is signed by a key the JWKS does not hold, Then 401', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expect((await call(sys.api.url, 'GET', '/v1/queues', undefined, await as(idpToken({ key: privateKey })))).status).toBe(401);
  });

  it("When a token is HS256-signed with the provider's public key (algorithm confusion), Then 401", async () => {
    const forged = await new SignJWT({ rahat_role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: 'idp-1' })
      .setSubject('idp-user-42')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicPem));

    expect((await call(sys.api.url, 'GET', '/v1/users', undefined, await as(forged))).status).toBe(401);
  });

  it("When the API's own tokens are used alongside, Then they still work", async () => {
    expect((await call(sys.api.url, 'GET', '/v1/users')).status).toBe(200);
  });
});
