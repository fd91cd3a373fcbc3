import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Permission } from '../auth/permissions';
import { mayAccessProject } from '../auth/actor';
import { startBatchRound } from '../batch-runner';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { amount, reference } from '../schemas';
import { batchView } from './batch-view';
import { projectId } from './projects';

const MAX_INLINE = 1000;

const createBatch = z
  .strictObject({
    projectId,
    batchId: reference.optional(),
    /** Explicit payouts: (beneficiary, amount) pairs. */
    payouts: z
      .array(z.strictObject({ beneficiaryId: z.uuid(), amount }))
      .min(1)
      .max(MAX_INLINE)
      .optional(),
    /** Or the same amount to each of these beneficiaries. */
    beneficiaryIds: z.array(z.uuid()).min(1).max(MAX_INLINE).optional(),
    amount: amount.optional(),
  })
  .refine((b) => (b.payouts ? !b.beneficiaryIds && !b.amount : !!b.beneficiaryIds && !!b.amount), {
    message: 'give either payouts, or beneficiaryIds with amount',
    path: ['payouts'],
  })
  .refine((b) => new Set((b.payouts?.map((p) => p.beneficiaryId) ?? b.beneficiaryIds)!).size === (b.payouts ?? b.beneficiaryIds)!.length, {
    message: 'a beneficiary appears twice',
    path: ['payouts'],
  });
const params = z.strictObject({ id: reference });

export function batchRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, temporal, taskQueue, distribution } = deps;
  return [
    route({
      method: 'post',
      path: '/v1/distributions/batches',
      summary: 'Create a batch distribution and start paying it',
      tags: ['batches'],
      permission: Permission.DistributionsWrite,
      startsWork: true,
      body: createBatch,
      project: ({ body }) => body.projectId,
      responses: { 202: { description: 'Batch created and started; poll links.self' }, 409: { description: 'batchId already used' } },
      async handler({ req, res, body }) {
        const id = body.batchId ?? randomUUID();
        const items = body.payouts ?? body.beneficiaryIds!.map((beneficiaryId) => ({ beneficiaryId, amount: body.amount! }));
        const known = await prisma.beneficiary.count({
          where: { id: { in: items.map((i) => i.beneficiaryId) }, projectId: body.projectId },
        });
        if (known !== items.length) {
          throw new HttpProblem(
            422,
            'Unknown beneficiaries',
            `${items.length - known} beneficiaries are not enrolled in ${body.projectId}`,
            [
              {
                field: body.payouts ? 'body.payouts' : 'body.beneficiaryIds',
                message: 'contains beneficiaries not enrolled in this project',
              },
            ],
          );
        }
        if (await prisma.distributionBatch.findUnique({ where: { id } })) {
          throw new HttpProblem(409, 'Conflict', `batch ${id} already exists`, [{ field: 'body.batchId', message: 'already used' }]);
        }
        await prisma.$transaction([
          prisma.distributionBatch.create({
            data: {
              id,
              projectId: body.projectId,
              target: { inline: true },
              chunkSize: distribution.chunkSize,
              payoutCount: items.length,
              totalAmount: items.reduce((sum, i) => sum + BigInt(i.amount), 0n).toString(),
            },
          }),
          prisma.payout.createMany({
            data: items.map((i) => ({
              id: randomUUID(),
              projectId: body.projectId,
              batchId: id,
              beneficiaryId: i.beneficiaryId,
              amount: i.amount,
            })),
          }),
        ]);
        const workflowId = await startBatchRound(temporal, {
          taskQueue,
          batchId: id,
          projectId: body.projectId,
          round: 0,
          concurrency: distribution.concurrency,
          requestId: req.id,
        });
        const self = `/v1/distributions/batches/${id}`;
        res.status(202).location(self).json({ id, status: 'CREATED', workflowId, payouts: items.length, links: { self } });
      },
    }),
    route({
      method: 'get',
      path: '/v1/distributions/batches/:id',
      summary: 'Get a batch with its progress (paid, failed, in flight, remaining, rate, ETA)',
      tags: ['batches'],
      permission: Permission.DistributionsRead,
      params,
      responses: { 200: { description: 'The batch' }, 404: { description: 'No such batch' } },
      async handler({ res, params: { id }, actor }) {
        const batch = await prisma.distributionBatch.findUnique({ where: { id } });
        if (!batch || (actor && !mayAccessProject(actor, batch.projectId))) throw notFound(`batch ${id}`);
        res.json(await batchView(deps, batch));
      },
    }),
  ];
}
