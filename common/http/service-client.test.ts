import { answers, startStandIn, type StandInService } from '../../tests/support/stand-in-service';
import { checkUrlAddress, type Resolver } from './address-policy';
import { createServiceClient, type ServiceClientOptions, type ServiceEvent } from './service-client';

let svc: StandInService;
const clients: { close(): void }[] = [];

beforeEach(async () => {
  svc = await startStandIn();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await svc.close();
});

function client(over: Partial<ServiceClientOptions> = {}) {
  const c = createServiceClient({
    name: 'test:stand-in',
    timeoutMs: 2000,
    retries: 0,
    backoff: { initialMs: 100, maxMs: 1000 },
    breaker: { threshold: 3, resetTimeoutMs: 500 },
    addressPolicy: 'loopback',
    ...over,
  });
  clients.push(c);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('timeouts and retries', () => {
  it('When the service hangs past the timeout, Then the call fails with ETIMEDOUT after about the timeout', async () => {
    svc.answer = answers.hang();
    const c = client({ timeoutMs: 300 });
    const started = Date.now();

    const err = await c.request(`${svc.url}/slow`).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('When an idempotent GET fails twice and then succeeds, Then it is retried with growing delays and returns the answer', async () => {
    svc.answer = answers.failFirst(2, 503);
    svc.body = () => ({ items: [1] });
    const c = client({ retries: 2, random: () => 0, breaker: { threshold: 10, resetTimeoutMs: 500 } });

    const res = await c.request(`${svc.url}/feed`);

    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ items: [1] });
    expect(svc.requests.map((r) => r.answered)).toEqual([503, 503, 200]);
    const [a, b, d] = svc.requests.map((r) => r.at);
    // Half of 100 ms, then half of 200 ms (no jitter with random() = 0).
    expect(b! - a!).toBeGreaterThanOrEqual(45);
    expect(d! - b!).toBeGreaterThanOrEqual(95);
  });

  it('When retries run out, Then the last answer is returned as it is (the caller judges it)', async () => {
    svc.answer = answers.always(502);
    const c = client({ retries: 1, breaker: { threshold: 10, resetTimeoutMs: 500 } });

    const res = await c.request(`${svc.url}/feed`);

    expect(res.status).toBe(502);
    expect(svc.requests).toHaveLength(2);
  });

  it('When a POST fails, Then it is sent once: only idempotent requests are retried in the client', async () => {
    svc.answer = answers.always(503);
    const c = client({ retries: 3 });

    const res = await c.request(`${svc.url}/hook`, { method: 'POST', body: '{}' });

    expect(res.status).toBe(503);
    expect(svc.requests).toHaveLength(1);
  });

  it('When the service answers 4xx, Then it is neither retried nor counted against the breaker', async () => {
    svc.answer = answers.always(404);
    const c = client({ retries: 2 });

    for (let i = 0; i < 5; i++) expect((await c.request(`${svc.url}/x`)).status).toBe(404);

    expect(svc.requests).toHaveLength(5);
    expect(c.state().breaker).toBe('closed');
  });
});

describe('circuit breaker', () => {
  it('When the service keeps answering 503, Then the breaker opens after the threshold and further calls never reach it', async () => {
    svc.answer = answers.always(503);
    const events: ServiceEvent[] = [];
    const c = client({ breaker: { threshold: 3, resetTimeoutMs: 10_000 }, onEvent: (e) => events.push(e) });

    for (let i = 0; i < 3; i++) await c.request(`${svc.url}/x`, { method: 'POST' });
    const rejected = await Promise.all(
      Array.from({ length: 20 }, () => c.request(`${svc.url}/x`, { method: 'POST' }).catch((e: unknown) => e)),
    );

    expect(svc.requests).toHaveLength(3);
    expect(rejected.every((e) => (e as { code?: string }).code === 'ECIRCUITOPEN')).toBe(true);
    expect((rejected[0] as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(9000);
    expect(c.state()).toMatchObject({ service: 'test:stand-in', breaker: 'open', retryAt: expect.any(Number) });
    expect(events).toContainEqual({ kind: 'state', service: 'test:stand-in', state: 'open' });
  });

  it('When a retrying GET opens the breaker, Then its remaining retries stop at once', async () => {
    svc.answer = answers.always(503);
    const c = client({ retries: 5, backoff: { initialMs: 10, maxMs: 10 }, breaker: { threshold: 2, resetTimeoutMs: 10_000 } });

    const err = await c.request(`${svc.url}/feed`).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'ECIRCUITOPEN' });
    expect(svc.requests).toHaveLength(2);
  });

  it('When the reset time has passed, Then one probe is let through, and its success closes the breaker', async () => {
    svc.answer = answers.always(503);
    const c = client({ breaker: { threshold: 2, resetTimeoutMs: 300 } });
    for (let i = 0; i < 2; i++) await c.request(`${svc.url}/x`, { method: 'POST' });
    expect(c.state().breaker).toBe('open');
    svc.answer = answers.always(200);

    await sleep(350);
    expect(c.state().breaker).toBe('halfOpen');
    const [probe, second] = await Promise.all([
      c.request(`${svc.url}/x`, { method: 'POST' }),
      c.request(`${svc.url}/x`, { method: 'POST' }).catch((e: unknown) => e),
    ]);

    expect(probe.status).toBe(200);
    // Half-open lets exactly one call through; the other waits for the probe's verdict.
    expect(second).toMatchObject({ code: 'ECIRCUITOPEN' });
    expect(svc.requests).toHaveLength(3);
    expect(c.state().breaker).toBe('closed');
    expect((await c.request(`${svc.url}/x`, { method: 'POST' })).status).toBe(200);
  });

  it('When the probe fails, Then the breaker opens again for another reset period', async () => {
    svc.answer = answers.always(503);
    const c = client({ breaker: { threshold: 2, resetTimeoutMs: 300 } });
    for (let i = 0; i < 2; i++) await c.request(`${svc.url}/x`, { method: 'POST' });

    await sleep(350);
    await c.request(`${svc.url}/x`, { method: 'POST' });

    expect(c.state().breaker).toBe('open');
    expect(await c.request(`${svc.url}/x`).catch((e: unknown) => e)).toMatchObject({ code: 'ECIRCUITOPEN' });
    expect(svc.requests).toHaveLength(3);
  });

  it('When the service hangs, Then timeouts count as failures and open the breaker too', async () => {
    svc.answer = answers.hang();
    const c = client({ timeoutMs: 100, breaker: { threshold: 2, resetTimeoutMs: 10_000 } });

    for (let i = 0; i < 2; i++) expect(await c.request(`${svc.url}/x`).catch((e: unknown) => e)).toMatchObject({ code: 'ETIMEDOUT' });

    expect(await c.request(`${svc.url}/x`).catch((e: unknown) => e)).toMatchObject({ code: 'ECIRCUITOPEN' });
    expect(svc.requests).toHaveLength(2);
  });
});

describe('outbound address policy at connect time', () => {
  it.each(['http://127.0.0.1:1/x', 'http://[::1]:1/x', 'http://10.0.0.1/x', 'http://169.254.169.254/latest', 'http://[::ffff:7f00:1]:1/x'])(
    'When the URL is the literal %s under the public policy, Then it is refused before any connection',
    async (url) => {
      const c = client({ addressPolicy: 'public' });

      expect(await c.request(url).catch((e: unknown) => e)).toMatchObject({ code: 'EADDRREFUSED' });
    },
  );

  it('When a name resolved to a public address at registration resolves to 127.0.0.1 at delivery, Then the connection is refused and the stand-in sees no request', async () => {
    let answer = '93.184.216.34';
    const resolve: Resolver = async () => [{ address: answer, family: 4 }];
    const url = `http://rebind.test:${svc.port}/hook`;
    await expect(checkUrlAddress(url, 'public', resolve)).resolves.toBeUndefined();

    answer = '127.0.0.1';
    const refused = await client({ addressPolicy: 'public', resolve })
      .request(url, { method: 'POST', body: '{}' })
      .catch((e: unknown) => e);

    expect(refused).toMatchObject({ code: 'EADDRREFUSED', host: 'rebind.test', address: '127.0.0.1', kind: 'loopback' });
    expect(svc.requests).toHaveLength(0);
    // The same name, the same resolver, a policy that allows loopback: the connection is real.
    expect((await client({ addressPolicy: 'loopback', resolve }).request(url, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(svc.requests).toHaveLength(1);
  });

  it('When a name resolves to a public and a private address, Then it is refused (any refused address refuses the name)', async () => {
    const resolve: Resolver = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.1.1.1', family: 4 },
    ];

    const err = await client({ addressPolicy: 'loopback', resolve })
      .request(`http://mixed.test:${svc.port}/x`)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'EADDRREFUSED', address: '10.1.1.1', kind: 'private' });
    expect(svc.requests).toHaveLength(0);
  });

  it('When connections are refused by the policy, Then the breaker stays closed: a refused address is not an outage', async () => {
    const c = client({
      addressPolicy: 'public',
      breaker: { threshold: 2, resetTimeoutMs: 10_000 },
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });

    for (let i = 0; i < 5; i++) await c.request(`http://rebind.test:${svc.port}/x`).catch(() => undefined);

    expect(c.state().breaker).toBe('closed');
  });
});
