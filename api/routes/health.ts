import { redisReady } from '../../common/redis';
import type { ApiDeps } from '../deps';
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

/** Database, Temporal, chain and Redis, each with status and latency; 503 when any is down. */
export function healthRoutes({ prisma, temporal, rpcUrl, redis }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/health',
      summary: 'Health of the database, Temporal, the chain and Redis',
      tags: ['operations'],
      // Load balancers and on-call checks call it without credentials; it reveals no data.
      permission: 'public',
      responses: { 200: { description: 'All dependencies up' }, 503: { description: 'At least one dependency down' } },
      async handler({ res }) {
        const [database, temporalCheck, chain, redisCheck] = await Promise.all([
          timed(() => prisma.$queryRaw`SELECT 1`),
          timed(() => temporal.connection.healthService.check({})),
          timed(() => blockNumber(rpcUrl)),
          timed(async () => {
            await redisReady(redis, TIMEOUT_MS);
            await redis.ping();
          }),
        ]);
        const checks = { database, temporal: temporalCheck, chain, redis: redisCheck };
        const healthy = Object.values(checks).every((c) => c.status === 'up');
        res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable', checks });
      },
    }),
  ];
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
