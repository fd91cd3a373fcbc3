import { randomUUID } from 'node:crypto';
import { ContractFactory, Wallet } from 'ethers';
import pino from 'pino';
import { startApi, type RunningApi } from '../../api/server';
import { ANVIL_DEV_ADMIN_KEY, type Config } from '../../common/config';
import { prismaDeploymentStore } from '../../common/contract-addresses';
import { invalidationPublisher } from '../../common/hot-cache';
import { closeRedis, createRedis } from '../../common/redis';
import { loadArtifact } from '../../contracts/artifacts';
import { hashPassword } from '../../api/auth/passwords';
import { toDbRole } from '../../api/auth/roles';
import { apiKey } from '../support/security-fixture';
import { BACKEND_HEADER, CLIENT_ADDRESS_HEADER, startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy';
import { startTestRedis, type TestRedis } from '../support/redis-server';
import { call, eventually, startSystem, type CallAuth, type System } from '../support/system';

/*
 * Two API instances behind one port (a round-robin proxy over real connections, appending
 * X-Forwarded-For like nginx; TRUST_PROXY=loopback): rate limits and Idempotency-Key are
 * shared, sessions end everywhere at once, cached reads follow a change made through the
 * other instance. Then the same pair on a Redis of its own, stopped: the API keeps serving.
 */

const PROJECT = 'scale-out';
// Room for the suite's own admin calls (one bucket per user, shared) inside a minute.
const RATE = 30;
const LOGIN_RATE = 3;
const silent = pino({ level: 'silent' });
let sys: System;
let second: RunningApi;
let proxy: RoundRobinProxy;

beforeAll(async () => {
  sys = await startSystem({
    TRUST_PROXY: 'loopback',
    RATE_LIMIT_PER_MINUTE: String(RATE),
    LOGIN_RATE_LIMIT_PER_MINUTE: String(LOGIN_RATE),
  });
  second = await startApi(sys.config, silent);
  proxy = await startRoundRobinProxy([sys.api.url, second.url]);
  expect((await call(sys.api.url, 'POST', '/v1/projects', { id: PROJECT, name: 'Scale out' })).status).toBe(201);
}, 90_000);

afterAll(async () => {
  await proxy?.close();
  await second?.close();
  await sys?.stop();
});

let clients = 0;
/** A fresh client address of TEST-NET-1 each time: anonymous calls then never share an IP limit by accident. */
const freshAddress = () => `192.0.2.${(clients++ % 250) + 1}`;

/** A request through `via` (the proxy by default) as the client at `address`; `backend` pins the instance. */
const through = (
  via: RoundRobinProxy,
  method: string,
  path: string,
  body?: unknown,
  opts: { auth?: CallAuth; address?: string; backend?: 0 | 1; headers?: Record<string, string> } = {},
) =>
  call(via.url, method, path, body, {
    auth: opts.auth ?? 'none',
    headers: {
      [CLIENT_ADDRESS_HEADER]: opts.address ?? freshAddress(),
      ...(opts.backend === undefined ? {} : { [BACKEND_HEADER]: String(opts.backend) }),
      ...opts.headers,
    },
  });
const via = (method: string, path: string, body?: unknown, opts: Parameters<typeof through>[4] = {}) =>
  through(proxy, method, path, body, opts);
const backendOf = (res: { headers: Headers }) => res.headers.get(BACKEND_HEADER);
const admin = async (): Promise<CallAuth> => ({ bearer: await sys.adminToken() });

describe('TRUST_PROXY', () => {
  it('When clients come through a trusted proxy, Then each client address has its own limit, and an X-Forwarded-For a client wrote itself changes nothing', async () => {
    const a = '203.0.113.10';
    const b = '203.0.113.11';
    const statuses: number[] = [];
    for (let i = 0; i < RATE + 1; i++) statuses.push((await via('GET', '/v1/users', undefined, { address: a })).status);

    const otherClient = await via('GET', '/v1/users', undefined, { address: b });
    const spoofing = await via('GET', '/v1/users', undefined, { address: a, headers: { 'x-forwarded-for': '198.51.100.77' } });

    expect(statuses.slice(0, RATE)).toEqual(Array(RATE).fill(401));
    expect(statuses[RATE]).toBe(429);
    expect(otherClient.status).toBe(401);
    expect(spoofing.status).toBe(429);
  });

  it('When a peer that is not a trusted proxy sends X-Forwarded-For, Then it is ignored: the limit counts the peer', async () => {
    const api = await startApi(
      {
        ...sys.config,
        api: { ...sys.config.api, trustProxy: ['10.9.8.7'] },
        redis: { ...sys.config.redis, keyPrefix: `untrusted-${randomUUID()}:` },
      } as Config,
      silent,
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < RATE + 1; i++) {
        const res = await call(api.url, 'GET', '/v1/audit', undefined, {
          auth: 'none',
          headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, RATE)).toEqual(Array(RATE).fill(401));
      expect(statuses[RATE]).toBe(429);
    } finally {
      await api.close();
    }
  });
});

describe('rate limits shared by the instances', () => {
  it('When one API key sends requests split across both instances, Then the request past the limit is 429 whichever instance answers', async () => {
    const key = await apiKey(sys, [PROJECT], ['projects:read']);
    const answers = [];
    for (let i = 0; i < RATE + 2; i++) answers.push(await via('GET', `/v1/projects/${PROJECT}`, undefined, { auth: { apiKey: key.key } }));

    expect(answers.slice(0, RATE).map((r) => r.status)).toEqual(Array(RATE).fill(200));
    expect(new Set(answers.slice(0, RATE).map(backendOf))).toEqual(new Set(['0', '1']));
    expect(answers.slice(RATE).map((r) => r.status)).toEqual([429, 429]);
    expect(new Set(answers.slice(RATE).map(backendOf))).toEqual(new Set(['0', '1']));
    expect(Number(answers[RATE]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('When logins for one account come through both instances, Then the attempt past the login limit is 429 even with the right password', async () => {
    const address = '203.0.113.20';
    const attempt = (password: string) => via('POST', '/v1/auth/login', { email: sys.admin.email, password }, { address });
    const wrong = [];
    for (let i = 0; i < LOGIN_RATE; i++) wrong.push(await attempt(`wrong-${i}`));

    const right = await attempt(sys.admin.password);

    expect(wrong.map((r) => r.status)).toEqual(Array(LOGIN_RATE).fill(401));
    expect(new Set(wrong.map(backendOf))).toEqual(new Set(['0', '1']));
    expect(right.status).toBe(429);
  });
});

describe('Idempotency-Key across instances', () => {
  it('When duplicates with one key arrive at both instances at once, Then exactly one request runs and the others get 409 or its replay', async () => {
    const key = randomUUID();
    const body = { projectId: PROJECT, externalId: `dup-${randomUUID()}` };
    const auth = await admin();

    const answers = await Promise.all(
      Array.from({ length: 6 }, () => via('POST', '/v1/beneficiaries', body, { auth, headers: { 'idempotency-key': key } })),
    );

    expect(new Set(answers.map(backendOf))).toEqual(new Set(['0', '1']));
    const firsts = answers.filter((r) => r.status === 202 && r.headers.get('idempotent-replayed') === null);
    expect(firsts).toHaveLength(1);
    for (const r of answers.filter((a) => a !== firsts[0])) {
      if (r.status === 202) expect(r.body).toEqual(firsts[0]!.body);
      else expect(r.status).toBe(409);
    }
    const starts = await Promise.all(
      [sys.api.url, second.url].map(async (url) => {
        const text: string = (await call(url, 'GET', '/metrics', undefined, { auth })).body;
        return Number(
          /rahat_workflow_starts_total\{workflow_type="registerBeneficiaryWorkflow",outcome="started"\} (\d+)/.exec(text)?.[1] ?? 0,
        );
      }),
    );
    expect(starts[0]! + starts[1]!).toBe(1);
    const later = await via('POST', '/v1/beneficiaries', body, { auth, headers: { 'idempotency-key': key } });
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(await sys.prisma.idempotencyRecord.count({ where: { key } })).toBe(1);
  }, 30_000);
});

describe('sessions end on every instance at once', () => {
  const operator = { id: randomUUID(), email: `operator-${randomUUID()}@test.local`, password: `pw-${randomUUID()}` };
  const credentials = { email: operator.email, password: operator.password };

  beforeAll(async () => {
    await sys.prisma.user.create({
      data: {
        id: operator.id,
        email: operator.email,
        passwordHash: await hashPassword(operator.password),
        role: toDbRole('operator'),
        projects: [],
      },
    });
  });

  it('When a refresh session is logged out on one instance, Then its refresh token is refused by the other', async () => {
    const session = (await via('POST', '/v1/auth/login', credentials, { backend: 0 })).body;

    const out = await via('POST', '/v1/auth/logout', { refreshToken: session.refreshToken }, { backend: 0 });
    const refreshed = await via('POST', '/v1/auth/refresh', { refreshToken: session.refreshToken }, { backend: 1 });

    expect(out.status).toBe(204);
    expect(refreshed.status).toBe(401);
  });

  it('When a codec session is signed out on one instance, Then its cookie no longer opens the codec on the other, even if it was kept', async () => {
    const signedIn = await via('POST', '/codec/session', credentials, { backend: 0 });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const on = (backend: 0 | 1) => ({ backend, headers: { cookie } });
    const before = await via('GET', '/codec/session', undefined, on(1));

    const out = await via('DELETE', '/codec/session', undefined, on(0));
    const after = await via('GET', '/codec/session', undefined, on(1));
    const decode = await via('POST', '/codec/decode', { payloads: [] }, on(1));

    expect(before.status).toBe(200);
    expect(out.status).toBe(204);
    expect(after.status).toBe(401);
    expect(decode.status).toBe(401);
  });
});

describe('cached reads follow a change made on the other instance', () => {
  it('When a project is renamed through one instance, Then the other, which had it cached, answers the new name at once', async () => {
    const auth = await admin();
    const readOnB = async () => (await via('GET', `/v1/projects/${PROJECT}`, undefined, { auth, backend: 1 })).body.name;
    expect(await readOnB()).toBe('Scale out');
    // Behind the API's back (no invalidation): B keeps answering what it cached.
    await sys.prisma.project.update({ where: { id: PROJECT }, data: { name: 'Changed in SQL' } });
    const cached = await readOnB();

    const renamed = await via('PATCH', `/v1/projects/${PROJECT}`, { name: 'Scale out, renamed' }, { auth, backend: 0 });
    const read = await readOnB();

    expect(cached).toBe('Scale out');
    expect(renamed.status).toBe(200);
    expect(read).toBe('Scale out, renamed');
  });

  it('When the deploy step records a new treasury, Then both instances read the new address at once, not after a TTL', async () => {
    const auth = await admin();
    const { chainId } = await sys.provider.getNetwork();
    const where = { chainId_name: { chainId: Number(chainId), name: 'RahatTreasury' } };
    const original = await sys.prisma.contractDeployment.findUniqueOrThrow({ where });
    const treasuries = () => Promise.all(([0, 1] as const).map((backend) => via('GET', '/v1/treasury', undefined, { auth, backend })));
    const before = await treasuries();
    const artifact = loadArtifact('RahatTreasury');
    const deployer = new Wallet(ANVIL_DEV_ADMIN_KEY, sys.provider);
    const forwarder = (
      await sys.prisma.contractDeployment.findUniqueOrThrow({ where: { chainId_name: { ...where.chainId_name, name: 'RahatForwarder' } } })
    ).address;
    const fresh = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(forwarder, deployer.address);
    await fresh.waitForDeployment();
    const redis = createRedis(sys.config.redis, silent);
    const store = prismaDeploymentStore(sys.prisma, invalidationPublisher(redis, sys.config.redis.keyPrefix));
    try {
      await store.save(Number(chainId), 'RahatTreasury', { address: await fresh.getAddress(), codeHash: original.codeHash });
      const after = await treasuries();

      expect(before.map((r) => r.body.address)).toEqual([original.address, original.address]);
      expect(after.map((r) => r.body.address)).toEqual([await fresh.getAddress(), await fresh.getAddress()]);
    } finally {
      await store.save(Number(chainId), 'RahatTreasury', {
        address: original.address,
        codeHash: original.codeHash,
        blockNumber: original.blockNumber === null ? undefined : Number(original.blockNumber),
      });
      await closeRedis(redis);
    }
  }, 30_000);
});

describe('with Redis down', () => {
  let redis: TestRedis;
  let apis: RunningApi[];
  let pair: RoundRobinProxy;
  const LIMIT = 4;

  beforeAll(async () => {
    redis = await startTestRedis();
    const config = {
      ...sys.config,
      redis: { ...sys.config.redis, port: redis.port, keyPrefix: `outage-${randomUUID()}:` },
      security: { ...sys.config.security, rateLimitPerMinute: LIMIT },
    } as Config;
    apis = [await startApi(config, silent), await startApi(config, silent)];
    pair = await startRoundRobinProxy(apis.map((a) => a.url));
  }, 30_000);

  afterAll(async () => {
    await pair?.close();
    for (const api of apis ?? []) await api.close();
    await redis?.dispose();
  });

  it('When Redis stops, Then /health is 200 degraded naming redis, requests are still served and limited by each instance, and cached reads stay fresh', async () => {
    const auth = await admin();
    const key = await apiKey(sys, [PROJECT], ['projects:read']);
    // Both instances read the project first, so a cache would hold it.
    for (const backend of [0, 1] as const) await through(pair, 'GET', `/v1/projects/${PROJECT}`, undefined, { auth, backend });
    await redis.stop();
    const health = await eventually(
      () => through(pair, 'GET', '/health', undefined, { backend: 0 }),
      (h) => h.body?.checks?.redis?.status === 'down',
    );

    const answers = [];
    for (let i = 0; i < 2 * LIMIT + 2; i++)
      answers.push(await through(pair, 'GET', `/v1/projects/${PROJECT}`, undefined, { auth: { apiKey: key.key } }));
    await through(pair, 'PATCH', `/v1/projects/${PROJECT}`, { name: 'Renamed while Redis is down' }, { auth, backend: 0 });
    const read = await through(pair, 'GET', `/v1/projects/${PROJECT}`, undefined, { auth, backend: 1 });

    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.degraded).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'redis' })]));
    // Each instance falls back to its own limit: 2 × LIMIT served, then 429 from each.
    expect(answers.slice(0, 2 * LIMIT).map((r) => r.status)).toEqual(Array(2 * LIMIT).fill(200));
    expect(answers.slice(2 * LIMIT).map((r) => r.status)).toEqual([429, 429]);
    expect(read.body.name).toBe('Renamed while Redis is down');
  }, 60_000);

  it('When Redis is back, Then /health is ok again and the limits are kept in Redis', async () => {
    await redis.startWithPortClosed();
    await redis.openPort();
    const health = await eventually(
      () => through(pair, 'GET', '/health', undefined, { backend: 1 }),
      (h) => h.body?.checks?.redis?.status === 'up',
    );
    const key = await apiKey(sys, [PROJECT], ['projects:read']);

    await through(pair, 'GET', `/v1/projects/${PROJECT}`, undefined, { auth: { apiKey: key.key } });

    expect(health.status).toBe(200);
    expect(health.body.degraded).toEqual([]);
    const keys = await redis.client().keys('*');
    expect(keys.some((k) => k.includes(key.id))).toBe(true);
  }, 60_000);
});
