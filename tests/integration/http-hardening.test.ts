import { apiKey } from '../support/security-fixture';
import { call, startSystem, type System } from '../support/system';

/** Security headers, CORS, rate limits and content types, on a system with small limits. */
const ORIGIN = 'https://admin.example.org';
let sys: System;

beforeAll(async () => {
  sys = await startSystem({
    CORS_ORIGINS: `${ORIGIN},https://other.example.org`,
    RATE_LIMIT_PER_MINUTE: '20',
    LOGIN_RATE_LIMIT_PER_MINUTE: '3',
  });
  expect((await call(sys.api.url, 'POST', '/v1/projects', { id: 'hard-a', name: 'Hardening' })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await sys?.stop();
});

describe('security headers', () => {
  it.each([
    ['a public route', '/health', 'none'],
    ['a refusal', '/v1/users', 'none'],
    ['an unknown route', '/nope', 'admin'],
  ] as const)('When %s answers, Then it carries helmet headers and no x-powered-by', async (_name, path, auth) => {
    const res = await call(sys.api.url, 'GET', path, undefined, { auth });

    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${sys.api.url}/v1/projects`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  it('When a configured origin asks, Then it is allowed with the API headers', async () => {
    const res = await preflight(ORIGIN);

    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('When another origin asks, Then no CORS header allows it', async () => {
    const res = await preflight('https://evil.example.com');
    const simple = await call(sys.api.url, 'GET', '/health', undefined, { auth: 'none', headers: { origin: 'https://evil.example.com' } });

    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('content types and sizes', () => {
  it('When a body is not JSON, Then 415 problem+json and nothing is created', async () => {
    const res = await call(sys.api.url, 'POST', '/v1/projects', 'id=hard-form&name=x', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await sys.prisma.project.count({ where: { id: 'hard-form' } })).toBe(0);
  });

  it('When a body is over 100 kB, Then 413', async () => {
    const res = await call(sys.api.url, 'POST', '/v1/projects', { id: 'hard-big', name: 'x'.repeat(101 * 1024) });

    expect(res.status).toBe(413);
    expect(res.body.title).toBe('Payload Too Large');
  });
});

// Before the rate-limit tests, which use up this address's budget: the document is a public route.
describe('the document and the edge agree', () => {
  let doc: any;
  beforeAll(async () => {
    doc = (await call(sys.api.url, 'GET', '/openapi.json', undefined, { auth: 'none' })).body;
  });

  it('When x-request-id breaks the documented pattern, Then 400 problem+json naming header.x-request-id; a matching one is echoed', async () => {
    const pattern = new RegExp(doc.components.parameters.RequestId.schema.pattern, 'u');
    const bad = ['a'.repeat(65), 'has space', 'semi;colon', 'caf\u00e9', ''];
    const good = ['req-1.2_3', 'a'.repeat(64)];

    const refused = [];
    for (const id of bad)
      refused.push(await call(sys.api.url, 'GET', '/health', undefined, { auth: 'none', headers: { 'x-request-id': id } }));
    const echoed = await call(sys.api.url, 'GET', '/health', undefined, { auth: 'none', headers: { 'x-request-id': good[0]! } });

    expect(bad.filter((id) => pattern.test(id))).toEqual([]);
    expect(good.filter((id) => !pattern.test(id))).toEqual([]);
    expect(refused.map((r) => r.status)).toEqual(bad.map(() => 400));
    for (const r of refused) {
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors).toEqual([{ field: 'header.x-request-id', message: expect.stringContaining(pattern.source) }]);
      expect(r.headers.get('x-request-id')).toMatch(pattern);
      expect(r.body.requestId).toBe(r.headers.get('x-request-id'));
    }
    expect(echoed.headers.get('x-request-id')).toBe(good[0]);
  });

  it('When a documented path gets a method it does not serve, Then 405 problem+json with Allow naming the served ones, as a plain OPTIONS does', async () => {
    const templates = Object.entries(doc.paths as Record<string, object>).map(([path, methods]) => ({
      path,
      pattern: new RegExp(`^${path.replace(/\./g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
      methods: Object.keys(methods).map((m) => m.toUpperCase()),
    }));
    const problems: string[] = [];
    let refused = 0;
    for (const { path } of templates) {
      const url = path.replace(/\{\w+\}/g, 'x');
      // What Express serves at the URL: every route whose path matches it, GET also answering HEAD.
      const served = new Set(templates.filter((t) => t.pattern.test(url)).flatMap((t) => t.methods));
      if (served.has('GET')) served.add('HEAD');
      const allow = [...served].sort().join(', ');
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !served.has(m))) {
        const res = await call(sys.api.url, method, url, undefined, { auth: 'none' });
        refused++;
        const type = res.headers.get('content-type') ?? '';
        if (res.status !== 405 || res.headers.get('allow') !== allow || !type.includes('application/problem+json'))
          problems.push(`${method} ${url} → ${res.status} allow=${res.headers.get('allow')} ${type}; expected 405 allow=${allow}`);
      }
      const options = await fetch(`${sys.api.url}${url}`, { method: 'OPTIONS' });
      if (options.headers.get('allow') !== allow) problems.push(`OPTIONS ${url} → ${options.status} allow=${options.headers.get('allow')}`);
    }

    expect(problems).toEqual([]);
    expect(refused).toBeGreaterThan(100);
    expect(doc.components.responses.MethodNotAllowed.headers.Allow).toBeDefined();
    expect(doc.info.description).toContain('405');
  });
});

describe('rate limits', () => {
  it('When an API key exceeds its rate, Then 429 problem+json with Retry-After, while another key goes on', async () => {
    const a = await apiKey(sys, ['hard-a'], ['projects:read']);
    const b = await apiKey(sys, ['hard-a'], ['projects:read']);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push((await call(sys.api.url, 'GET', '/v1/projects/hard-a', undefined, { auth: { apiKey: a.key } })).status);
    const limited = await call(sys.api.url, 'GET', '/v1/projects/hard-a', undefined, { auth: { apiKey: a.key } });

    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call(sys.api.url, 'GET', '/v1/projects/hard-a', undefined, { auth: { apiKey: b.key } })).status).toBe(200);
  });

  it('When logins from one address exceed the login rate, Then 429 even with the right password', async () => {
    const attempt = (password: string) =>
      call(sys.api.url, 'POST', '/v1/auth/login', { email: sys.admin.email, password }, { auth: 'none' });
    const seen = [(await attempt('wrong-1')).status, (await attempt('wrong-2')).status, (await attempt('wrong-3')).status];
    const fourth = await attempt(sys.admin.password);

    expect(seen).toEqual([401, 401, 401]);
    expect(fourth.status).toBe(429);
    // The rest of the one-minute window, which began with the first attempt (docs/security.md).
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThanOrEqual(55);
    expect(Number(fourth.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('When requests without valid credentials from one address exceed the rate, Then 429 replaces 401', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await call(sys.api.url, 'GET', '/v1/users', undefined, { auth: { bearer: 'x.y.z' } })).status);
    const firstLimited = statuses.indexOf(429);

    expect(firstLimited).toBeGreaterThan(0);
    expect(new Set(statuses.slice(0, firstLimited))).toEqual(new Set([401]));
    expect(new Set(statuses.slice(firstLimited))).toEqual(new Set([429]));
  });
});
