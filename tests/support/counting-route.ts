import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { z } from 'zod';
import { ALL_PERMISSIONS, Permission } from '../../api/auth/permissions';
import { problemHandler } from '../../api/problem';
import { route } from '../../api/route-spec';
import { buildRouter } from '../../api/router';
import type { PrismaClient } from '../../common/db';
import type { LeaseTimings } from '../../api/idempotency-store';

/**
 * The real router with one route that starts "work" and counts how often its handler ran, so
 * router-level behaviour (Idempotency-Key) can be asserted by runs rather than by side effects.
 * Callers are named by an `x-test-actor` header; every caller has every permission.
 */
export interface CountingRoute {
  base: string;
  /** Handler runs since the last reset. */
  runs(): number;
  /** Holds every handler run until the promise resolves. */
  hold(gate: Promise<void> | undefined): void;
  /** The next run answers with this error status (503 by default), after it ran. */
  failNext(status?: number): void;
  /** The next run throws (a 500 through the error middleware), after it ran. */
  throwNext(): void;
  /** The Idempotency-Key lease of this router: short, so tests can outlive it. */
  lease: LeaseTimings;
  reset(): void;
  post(key: string | undefined, body: unknown, actor?: string): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export async function startCountingRoute(
  prisma: PrismaClient,
  lease: LeaseTimings = { leaseMs: 1000, renewMs: 200 },
): Promise<CountingRoute> {
  let runs = 0;
  let gate: Promise<void> | undefined;
  let fail: number | 'throw' | undefined;
  const spec = route({
    method: 'post',
    path: '/v1/things',
    summary: 'test route that starts work',
    tags: ['test'],
    permission: Permission.BeneficiariesWrite,
    startsWork: true,
    body: z.strictObject({ name: z.string(), amount: z.string().optional() }),
    responses: { 202: { description: 'started' } },
    async handler({ res, body }) {
      const run = ++runs;
      await gate;
      const failure = fail;
      fail = undefined;
      if (failure === 'throw') throw new Error('the handler broke');
      if (failure) {
        res.status(failure).json({ title: 'failed' });
        return;
      }
      res.status(202).location(`/v1/things/${run}`).json({ run, name: body.name });
    },
  });
  const silent = pino({ level: 'silent' });
  const app = express();
  app.use((req, _res, next) => {
    req.id = randomUUID();
    next();
  });
  app.use(express.json());
  app.use(
    buildRouter([spec], {
      auth: {
        authenticate: async (req) => ({ kind: 'user', id: req.get('x-test-actor') ?? 'alice', permissions: new Set(ALL_PERMISSIONS) }),
      },
      limiter: { take: async () => undefined },
      prisma,
      logger: silent,
      lease,
    }),
  );
  app.use(problemHandler(silent));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    runs: () => runs,
    hold(g) {
      gate = g;
    },
    failNext(status = 503) {
      fail = status;
    },
    throwNext() {
      fail = 'throw';
    },
    lease,
    reset() {
      runs = 0;
      gate = undefined;
      fail = undefined;
    },
    async post(key, body, actor = 'alice') {
      const res = await fetch(`${base}/v1/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test-actor': actor, ...(key === undefined ? {} : { 'idempotency-key': key }) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as any };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
