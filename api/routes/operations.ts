import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { describeQueue } from '../queue-monitor';
import { route, type RouteSpec } from '../route-spec';

/** Operator views (docs/operations.md): Temporal task queues and the API's Prometheus metrics. */
export function operationsRoutes({ temporal, taskQueue, metrics }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/queues',
      summary: 'Task queues: pollers, backlog, and workflows by type and status (from Temporal)',
      tags: ['operations'],
      permission: Permission.OperationsRead,
      responses: {
        200: { description: '{ queues: [{ name, pollers, backlog, workflows }] }' },
        503: { description: 'Temporal did not answer' },
      },
      async handler({ res }) {
        const namespace = temporal.client.options.namespace;
        const queues = await Promise.all([taskQueue].map((q) => describeQueue(temporal.client, namespace, q))).catch((err: Error) => {
          throw new HttpProblem(503, 'Service Unavailable', `Temporal did not answer: ${err.message.split('\n')[0]}`);
        });
        res.json({ queues });
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics of the API process (text format); the worker serves its own',
      tags: ['operations'],
      // Not public: request rates and payout counts describe the business. Scrape with an
      // API key holding operations:read (docs/operations.md#metrics).
      permission: Permission.OperationsRead,
      responses: { 200: { description: 'Prometheus text exposition format' } },
      async handler({ res }) {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    }),
  ];
}
