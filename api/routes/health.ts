import { readBreakerStates, type ServiceHealth } from '../../common/http/breaker-board';
import { redisReady } from '../../common/redis';
import type { ApiDeps } from '../deps';
import { summarize } from '../health-status';
import { signerHealth, type SignerHealth } from '../signer-health';
import { route, type RouteSpec } from '../route-spec';

export interface CheckResult {
  status: 'up' | 'down' | 'degraded';
  latencyMs: number;
  error?: string;
  reason?: string;
}

const TIMEOUT_MS = 2000;

/** Runs the probe within TIMEOUT_MS; `verdict` turns what it found into a status other than up, or details. */
async function timed<T>(probe: () => Promise<T>, verdict: (found: T) => Partial<CheckResult> = () => ({})): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const found = await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started), ...verdict(found as T) };
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
  reason?: string;
  error?: string;
}

/**
 * Database, Temporal, chain and Redis, each with status and latency, and the signers (the hot
 * key, and any other key the engine signs with, like the admin key). 503 "unavailable" only
 * when the database or Temporal is down: without them nothing works. Anything else failing
 * (Redis down, the chain down or lagging, a signer with gaps, a stuck transaction or a chain
 * that forgot what it mined) is 200 "degraded", named in `degraded`: on-call is paged, the
 * API stays in the load balancer and serves what does not need it (docs/operations.md). So
 * is an outside service whose circuit breaker is not closed, named with its service.
 */
export function healthRoutes({ prisma, temporal, rpcUrl, redis, chain, hotSigner, stuckAfterMs, health, taskQueue }: ApiDeps): RouteSpec[] {
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
      // The states are in Redis: wait for a connection that is coming back, as the redis check does.
      await redisReady(redis, TIMEOUT_MS);
      const breakers = await withTimeout(readBreakerStates(redis, taskQueue));
      const open = Object.entries(breakers).filter(([, b]) => b.status !== 'up');
      return open.length
        ? {
            status: 'degraded',
            breakers,
            reason: `circuit breaker not closed: ${open.map(([name, b]) => `${name} (${b.breaker})`).join(', ')}`,
          }
        : { status: 'up', breakers };
    } catch (err) {
      return { status: 'unknown', breakers: {}, error: (err as Error).message.split('\n')[0] };
    }
  }

  return [
    route({
      method: 'get',
      path: '/health',
      summary: 'Health of the database, Temporal, the chain, Redis and the signers',
      tags: ['operations'],
      // Load balancers and on-call checks call it without credentials; it reveals no data.
      permission: 'public',
      responses: {
        200: {
          description: 'Every check up (status ok), or only checks the API can serve without failing (status degraded, named in degraded)',
        },
        503: { description: 'The database or Temporal is down (status unavailable, named in down)' },
      },
      async handler({ res }) {
        const [database, temporalCheck, chainCheck, redisCheck, signerChecks, servicesCheck] = await Promise.all([
          timed(() => prisma.$queryRaw`SELECT 1`),
          // With a deadline: the client would otherwise keep retrying an unreachable server for ~20 s.
          timed(() => temporal.connection.withDeadline(Date.now() + TIMEOUT_MS, () => temporal.connection.healthService.check({}))),
          timed(
            () => chainHead(rpcUrl, health.chainLagMs),
            (head) => head,
          ),
          timed(async () => {
            await redisReady(redis, TIMEOUT_MS);
            await redis.ping();
          }),
          withTimeout(signers()).catch((err: Error) => ({ error: err.message.split('\n')[0] })),
          services(),
        ]);
        const checks = {
          database,
          temporal: temporalCheck,
          chain: chainCheck,
          redis: redisCheck,
          ...('signer' in signerChecks ? signerChecks : { signer: { status: 'unknown', ...signerChecks } }),
          services: servicesCheck,
        };
        // With Redis down the breakers cannot be read: that is the redis finding, not a second one.
        const { services: unreadable, ...others } = checks;
        const { status, httpStatus, down, degraded } = summarize(
          unreadable.status === 'unknown' && redisCheck.status !== 'up' ? others : checks,
        );
        res.status(httpStatus).json({ status, down, degraded, checks });
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

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (!res.ok || body.result === undefined || body.result === null)
    throw new Error(body.error?.message ?? `RPC answered HTTP ${res.status}`);
  return body.result;
}

/**
 * The node answers; with a lag limit (HEALTH_CHAIN_LAG_SECONDS), its head block must also be
 * younger than that, else the chain is degraded: a node that stopped following the chain
 * answers every read with old state and mines nothing.
 */
async function chainHead(rpcUrl: string, lagMs: number): Promise<Partial<CheckResult> & { headBlock?: number; headAgeSeconds?: number }> {
  if (lagMs <= 0) {
    await rpc(rpcUrl, 'eth_blockNumber', []);
    return {};
  }
  const head = (await rpc(rpcUrl, 'eth_getBlockByNumber', ['latest', false])) as { number: string; timestamp: string };
  const headBlock = Number(head.number);
  const headAgeSeconds = Math.max(0, Math.round(Date.now() / 1000 - Number(head.timestamp)));
  if (headAgeSeconds * 1000 <= lagMs) return { status: 'up', headBlock, headAgeSeconds };
  return {
    status: 'degraded',
    headBlock,
    headAgeSeconds,
    reason: `head block ${headBlock} is ${headAgeSeconds} s old (more than HEALTH_CHAIN_LAG_SECONDS, ${lagMs / 1000} s)`,
  };
}
