import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType, RetryableType } from '../common/errors';
import { createServiceClient, type ServiceClient, type ServiceClientOptions } from '../common/http/service-client';
import { answers, startStandIn } from '../tests/support/stand-in-service';
import type { RawRecord } from './import-parsers';
import { PARTNER_CLIENT, partnerRecords } from './import-partner';

let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.headers.authorization !== 'Bearer t') return void res.writeHead(401).end();
    const page = new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1';
    const body =
      page === 'evil'
        ? { items: [{ externalId: 'e' }], next: 'http://169.254.169.254/latest' }
        : { items: [{ externalId: `p${page}-a` }, 7], next: page === '1' ? '/feed?page=2' : null };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => (seen.length = 0));

const clients: ServiceClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));
function partnerClient(over: Partial<ServiceClientOptions> = {}): ServiceClient {
  const c = createServiceClient({
    ...PARTNER_CLIENT,
    name: 'partner:test',
    breaker: { threshold: 5, resetTimeoutMs: 30_000 },
    addressPolicy: 'loopback',
    ...over,
  });
  clients.push(c);
  return c;
}

const all = async (gen: AsyncGenerator<RawRecord>) => {
  const out: RawRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
};

describe('partnerRecords', () => {
  it('When the feed has two pages, Then every item is a numbered record and a non-object is a row error', async () => {
    const positions: unknown[] = [];

    const records = await all(partnerRecords({ url: `${base}/feed`, token: 't' }, partnerClient(), undefined, (p) => positions.push(p)));

    expect(records).toEqual([
      { rowNumber: 1, fields: { externalId: 'p1-a' } },
      { rowNumber: 2, fields: {}, error: 'must be a JSON object' },
      { rowNumber: 3, fields: { externalId: 'p2-a' } },
      { rowNumber: 4, fields: {}, error: 'must be a JSON object' },
    ]);
    expect(positions).toEqual([
      { url: `${base}/feed?page=2`, rowNumber: 2 },
      { url: null, rowNumber: 4 },
    ]);
  });

  it('When resumed at the second page, Then the first is not fetched again and numbering continues', async () => {
    const records = await all(
      partnerRecords({ url: `${base}/feed`, token: 't' }, partnerClient(), { url: `${base}/feed?page=2`, rowNumber: 2 }),
    );

    expect(records.map((r) => r.rowNumber)).toEqual([3, 4]);
    expect(seen).toEqual(['/feed?page=2']);
  });

  it('When the token is refused, Then it fails for good (ImportRejected) instead of retrying', async () => {
    const err = await all(partnerRecords({ url: `${base}/feed`, token: 'wrong' }, partnerClient())).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: ErrorType.ImportRejected, nonRetryable: true });
  });

  it('When a page points to another origin, Then the pull stops rather than follow it', async () => {
    const err = await all(partnerRecords({ url: `${base}/feed?page=evil`, token: 't' }, partnerClient())).catch((e: unknown) => e);

    expect(err).toMatchObject({ type: ErrorType.ImportRejected, message: expect.stringMatching(/points outside/) });
    expect(seen).toEqual(['/feed?page=evil']);
  });

  it("When the registry keeps failing, Then the pull's attempts end in ServiceUnavailable once the breaker opens: retryable, with Temporal told to wait for the breaker, and the registry is no longer called", async () => {
    const registry = await startStandIn(answers.always(503));
    try {
      const client = partnerClient({ backoff: { initialMs: 10, maxMs: 10 }, breaker: { threshold: 5, resetTimeoutMs: 30_000 } });
      const pull = () => all(partnerRecords({ url: `${registry.url}/feed` }, client)).catch((e: unknown) => e);

      const first = await pull(); // 3 requests: one try and two retries inside the attempt
      const second = await pull(); // 2 more: the breaker opens at the fifth failure
      const third = await pull(); // not sent

      expect(first).not.toBeInstanceOf(ApplicationFailure);
      expect(first).toMatchObject({ message: expect.stringMatching(/HTTP 503/) });
      for (const err of [second, third]) {
        expect(err).toBeInstanceOf(ApplicationFailure);
        expect(err).toMatchObject({ type: RetryableType.ServiceUnavailable, nonRetryable: false });
        expect((err as ApplicationFailure).nextRetryDelay).toBeGreaterThan(29_000);
      }
      expect(registry.requests).toHaveLength(5);
    } finally {
      await registry.close();
    }
  });

  it('When the registry is at an address the policy refuses, Then the pull fails for good (ImportRejected) without a request', async () => {
    const err = await all(partnerRecords({ url: `${base}/feed`, token: 't' }, partnerClient({ addressPolicy: 'public' }))).catch(
      (e: unknown) => e,
    );

    expect(err).toMatchObject({
      type: ErrorType.ImportRejected,
      nonRetryable: true,
      message: expect.stringMatching(/refused: 127\.0\.0\.1 is a loopback address/),
    });
    expect(seen).toEqual([]);
  });
});
