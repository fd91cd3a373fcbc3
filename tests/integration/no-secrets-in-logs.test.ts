import { Writable } from 'node:stream';
import pino from 'pino';
import { ANVIL_DEV_ADMIN_KEY, ANVIL_DEV_KEY } from '../../common/config';
import { call, eventually, startSystem, type System } from '../support/system';

/*
 * Every log line of a full run, at trace level and without pino's redaction (so the code
 * itself must never hand a secret to the logger): logins, refresh, a wrong password, user and
 * API key creation, registration and a payout through the key, refused credentials, logout.
 */
const lines: string[] = [];
let sys: System;
const secrets = new Map<string, string>();
const keep = (name: string, value: string) => secrets.set(name, value);

beforeAll(async () => {
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()),
  });
  sys = await startSystem({}, { logger: pino({ level: 'trace' }, sink) });
  const { url } = sys.api;
  keep('admin password', sys.admin.password);
  keep('JWT secret', sys.config.security.jwtSecret);
  keep('wallet master secret', sys.config.walletMasterSecret);
  keep('id derivation key', sys.config.idDerivationKey);
  keep('anvil key', ANVIL_DEV_KEY);
  keep('anvil key without 0x', ANVIL_DEV_KEY.slice(2));
  keep('signer key', sys.config.chain.signerKey.slice(2));
  keep('admin key', ANVIL_DEV_ADMIN_KEY.slice(2));

  const session = (await call(url, 'POST', '/v1/auth/login', { email: sys.admin.email, password: sys.admin.password }, { auth: 'none' }))
    .body;
  const rotated = (await call(url, 'POST', '/v1/auth/refresh', { refreshToken: session.refreshToken }, { auth: 'none' })).body;
  for (const [name, s] of Object.entries({ first: session, rotated })) {
    keep(`${name} access token`, s.accessToken);
    keep(`${name} access token signature`, s.accessToken.split('.')[2]);
    keep(`${name} refresh token`, s.refreshToken);
  }
  keep('wrong password', 'wrong-password-for-the-log-test');
  await call(url, 'POST', '/v1/auth/login', { email: sys.admin.email, password: 'wrong-password-for-the-log-test' }, { auth: 'none' });
  keep('new user password', 'new-user-password-in-logs?');
  await call(
    url,
    'POST',
    '/v1/users',
    { email: 'logged@example.org', password: 'new-user-password-in-logs?', role: 'operator' },
    { auth: { bearer: rotated.accessToken } },
  );

  expect((await call(url, 'POST', '/v1/projects', { id: 'logs-p', name: 'Logs' })).status).toBe(201);
  await sys.fundProject('logs-p');
  const created = await call(url, 'POST', '/v1/api-keys', {
    name: 'logs',
    projects: ['logs-p'],
    permissions: ['beneficiaries:write', 'beneficiaries:read', 'distributions:write', 'distributions:read'],
  });
  const key: string = created.body.key;
  keep('API key', key);
  keep('API key secret part', key.split('_')[2]);
  const asKey = { auth: { apiKey: key } };
  const person = { projectId: 'logs-p', externalId: 'logs-1', name: 'Amina Logcheck', phone: '+254 700 123 456' };
  keep('beneficiary name', person.name);
  keep('beneficiary phone', '254700123456');
  const registered = await call(url, 'POST', '/v1/beneficiaries', person, asKey);
  expect(registered.status).toBe(202);
  await eventually(
    async () => (await call(url, 'GET', registered.body.links.self, undefined, asKey)).body.status,
    (s) => s === 'ACTIVE',
  );
  const paid = await call(
    url,
    'POST',
    '/v1/tokens/distribute',
    { projectId: 'logs-p', beneficiaryId: registered.body.id, amount: '5', distributionId: 'logs-d1' },
    asKey,
  );
  expect(paid.status).toBe(202);
  await eventually(
    async () => (await call(url, 'GET', paid.body.links.self, undefined, asKey)).body.status,
    (s) => s === 'CONFIRMED',
  );

  await call(url, 'GET', '/v1/users', undefined, { auth: { bearer: `${rotated.accessToken.slice(0, -3)}AAA` } });
  await call(url, 'GET', '/v1/users', undefined, { auth: { apiKey: `${key.slice(0, -3)}AAA` } });
  await call(url, 'POST', '/v1/auth/logout', { refreshToken: rotated.refreshToken }, { auth: 'none' });
}, 120_000);

afterAll(async () => {
  await sys?.stop();
});

/** The names of the secrets found in `text`, case-insensitively. */
function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  return [...secrets].filter(([, value]) => lower.includes(value.toLowerCase())).map(([name]) => name);
}

describe('logs of a full run', () => {
  it('When the run is over, Then the API, worker and Temporal SDK all logged', () => {
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(50);
    expect(text).toContain('"path":"/v1/auth/login"');
    expect(text).toContain('"path":"/v1/api-keys"');
    expect(text).toContain('temporal-sdk');
  });

  it('When every line is searched, Then no password, token, key secret, private key or personal data appears', () => {
    const found = lines.flatMap((line, i) => leaks(line).map((name) => `line ${i}: ${name}`));
    expect(found).toEqual([]);
  });

  it('When a line did carry a secret, Then the search would name it', () => {
    expect(leaks(`{"msg":"oops","token":"${secrets.get('first refresh token')}"}`)).toEqual(['first refresh token']);
    expect(leaks(`{"key":"${ANVIL_DEV_KEY.toUpperCase()}"}`)).toEqual(expect.arrayContaining(['anvil key', 'anvil key without 0x']));
  });
});
