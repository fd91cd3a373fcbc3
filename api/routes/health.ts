import { readBreakerStates, type ServiceHealth } from '../../common/http/breaker-board';
import { redisReady } from '../../common/redis';
import type { ApiDeps } from '../deps';
import { signerHealth, type SignerHealth } from '../signer-health';
import { route, type RouteSpec } from '../route-spec';

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

const TIMEOUT_MS = 2000;

async function timed(probe: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (err as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

interface ServicesCheck {
  status: 'up' | 'degraded' | 'unknown';
  /** Per outside service, the breaker state the workers published (common/http/breaker-board.ts). */
  breakers: Record<string, ServiceHealth>;
  error?: string;
}

/**
 * Database, Temporal, chain and Redis, each with status and latency; 503 when any is down. The
 * signers (the hot key, and any other key the engine signs with, like the admin key) are
 * `degraded` when their nonces have gaps, the chain forgot what they mined, or a transaction
 * waits far too long; so is an outside service whose circuit breaker is not closed: 200,
 * named, so a stalled signer or a failing webhook pages on-call without taking the API out.
 */
export function healthRoutes({ prisma, temporal, rpcUrl, redis, chain, hotSigner, stuckAfterMs, taskQueue }: ApiDeps): RouteSpec[] {
  async function signers(): Promise<{ signer: SignerHealth; signers: SignerHealth[] }> {
    const c = await chain.connect();
    const others = await prisma.signerNonce.findMany({
      where: { chainId: c.chainId, address: { not: hotSigner } },
      select: { address: true },
    });
    const [signer, ...rest] = await Promise.all(
      [hotSigner, ...others.map((o) => o.address)].map((a) => signerHealth(prisma, c.provider, c.chainId, a, stuckAfterMs)),
    );
    return { signer: signer!, signers: rest };
  }

  async function services(): Promise<ServicesCheck> {
    try {
      const breakers = await withTimeout(readBreakerStates(redis, taskQueue));
      return { status: Object.values(breakers).some((b) => b.status !== 'up') ? 'degraded' : 'up', breakers };
    } catch (err) {
      return { status: 'unknown', breakers: {}, error: (err as Error).message.split('\n')[0] };
    }
  }

  return [
    route({
      method: 'get',
      path: '/health',
      summary: 'Health of the database, Temporal, the chain and Redis',
      tags: ['operations'],
      // Load balancers and on-call checks call it without credentials; it reveals no data.
      permission: 'public',
      responses: {
        200: { description: 'Every dependency up (status ok), or a signer or an outside service degraded (status degraded, named)' },
        503: { description: 'At least one dependency down' },
      },
      async handler({ res }) {
        const [database, temporalCheck, chainCheck, redisCheck, signerChecks, servicesCheck] = await Promise.all([
          timed(() => prisma.$queryRaw`SELECT 1`),
          timed(() => temporal.connection.healthService.check({})),
          timed(() => blockNumber(rpcUrl)),
          timed(async () => {
            await redisReady(redis, TIMEOUT_MS);
            await redis.ping();
          }),
          withTimeout(signers()).catch((err: Error) => ({ error: err.message.split('\n')[0] })),
          services(),
        ]);
        const checks = { database, temporal: temporalCheck, chain: chainCheck, redis: redisCheck };
        const healthy = Object.values(checks).every((c) => c.status === 'up');
        const degraded =
          ('signer' in signerChecks && [signerChecks.signer, ...signerChecks.signers].some((s) => s.status !== 'up')) ||
          servicesCheck.status === 'degraded';
        const status = !healthy ? 'unavailable' : degraded ? 'degraded' : 'ok';
        res.status(healthy ? 200 : 503).json({
          status,
          checks: {
            ...checks,
            ...('signer' in signerChecks ? signerChecks : { signer: { status: 'unknown', ...signerChecks } }),
            services: servicesCheck,
          },
        });
      },
    }),
  ];
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function blockNumber(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json()) as { result?: string; error?: { message: string } };
  if (!res.ok || typeof body.result !== 'string') throw new Error(body.error?.message ?? `RPC answered HTTP ${res.status}`);
  return Number(body.result);
}
