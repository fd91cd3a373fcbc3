import { WorkflowExecutionAlreadyStartedError, type WorkflowClientInterceptor } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '../common/db';
import { breakerStateValue, readBreakerStates } from '../common/http/breaker-board';
import type { Redis } from '../common/redis';

/**
 * The API process's Prometheus metrics (docs/operations.md#metrics). A registry per app, not
 * prom-client's global one, so several apps in one process (tests) never collide. Workflow
 * completions and chain latency are the worker's: it serves its own /metrics.
 */
export function createApiMetrics(opts: { prisma: PrismaClient; redis?: Redis; taskQueue?: string }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'rahat_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const workflowStarts = new Counter({
    name: 'rahat_workflow_starts_total',
    help: 'Workflow start calls made by the API, by workflow type and outcome (started, already_started, error)',
    labelNames: ['workflow_type', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'rahat_payouts',
    help: 'Payouts in the database by status (counted at scrape time, so it survives restarts and covers every worker)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const rows = await opts.prisma.payout.groupBy({ by: ['status'], _count: { _all: true } });
        for (const r of rows) this.set({ status: r.status }, r._count._all);
      } catch {
        // Database down: the gauge is left empty for this scrape; /health reports the outage.
      }
    },
  });
  new Gauge({
    name: 'rahat_outbound_breaker_state',
    help: "Circuit breaker per outside service, the worst across the task queue's workers: 0 closed, 1 half-open, 2 open",
    labelNames: ['service'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!opts.redis || !opts.taskQueue || opts.redis.status !== 'ready') return;
      try {
        for (const [service, s] of Object.entries(await readBreakerStates(opts.redis, opts.taskQueue)))
          this.set({ service }, breakerStateValue(s.breaker));
      } catch {
        // Redis down: left empty for this scrape; /health reports the outage.
      }
    },
  });
  return { registry, httpDuration, workflowStarts };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** Times every response; the route label is the matched template (`/v1/beneficiaries/:id`), never the raw path. */
export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      end({ route: typeof route === 'string' ? req.baseUrl + route : 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
}

/** Counts the workflow starts of the API's Temporal client. */
export function workflowStartsInterceptor(metrics: ApiMetrics): WorkflowClientInterceptor {
  return {
    async startWithDetails(input, next) {
      try {
        const out = await next(input);
        metrics.workflowStarts.inc({ workflow_type: input.workflowType, outcome: 'started' });
        return out;
      } catch (err) {
        const outcome = err instanceof WorkflowExecutionAlreadyStartedError ? 'already_started' : 'error';
        metrics.workflowStarts.inc({ workflow_type: input.workflowType, outcome });
        throw err;
      }
    },
  };
}
