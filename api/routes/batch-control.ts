import { z } from 'zod';
import { workflowIds } from '../../common/workflow-ids';
import { cancelSignal, pauseSignal, resumeSignal } from '../../workflows/batch-signals';
import { mayAccessProject, type Actor } from '../auth/actor';
import { Permission } from '../auth/permissions';
import { startBatchRound } from '../batch-runner';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { effectiveStatus, payoutStatusFilter } from '../payout-status';
import { page, reference } from '../schemas';

const params = z.strictObject({ id: reference });
const FINAL = ['COMPLETED', 'COMPLETED_WITH_FAILURES', 'CANCELLED'];
const payoutQuery = z.strictObject({
  status: z.enum(['PENDING', 'SIGNED', 'SUBMITTED', 'CONFIRMED', 'FAILED', 'CANCELLED']).optional(),
  ...page,
});

const signals = { pause: pauseSignal, resume: resumeSignal, cancel: cancelSignal } as const;

export function batchControlRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, temporal, taskQueue, distribution } = deps;

  async function load(id: string, actor: Actor | undefined) {
    const batch = await prisma.distributionBatch.findUnique({ where: { id } });
    if (!batch || (actor && !mayAccessProject(actor, batch.projectId))) throw notFound(`batch ${id}`);
    return batch;
  }

  const signalRoutes = (Object.keys(signals) as (keyof typeof signals)[]).map((name) =>
    route({
      method: 'post',
      path: `/v1/distributions/batches/:id/${name}`,
      summary: `${name[0]!.toUpperCase()}${name.slice(1)} a running batch`,
      tags: ['batches'],
      permission: Permission.DistributionsWrite,
      params,
      responses: { 202: { description: 'Signal delivered' }, 409: { description: 'The batch has finished' } },
      async handler({ res, params: { id }, actor }) {
        const batch = await load(id, actor);
        if (FINAL.includes(batch.status)) throw new HttpProblem(409, 'Conflict', `batch ${id} is ${batch.status}`);
        await temporal.client.workflow.getHandle(workflowIds.batch(id, batch.round)).signal(signals[name]);
        res.status(202).json({ id, signal: name, links: { self: `/v1/distributions/batches/${id}` } });
      },
    }),
  );

  return [
    ...signalRoutes,
    route({
      method: 'get',
      path: '/v1/distributions/batches/:id/payouts',
      summary: 'List the payouts of a batch (filter by status; failed ones carry their reason)',
      tags: ['batches'],
      permission: Permission.DistributionsRead,
      params,
      query: payoutQuery,
      responses: { 200: { description: 'A page of payouts; pass nextCursor as cursor for the next' } },
      async handler({ res, params: { id }, query, actor }) {
        await load(id, actor);
        const rows = await prisma.payout.findMany({
          where: {
            batchId: id,
            ...(await payoutStatusFilter(prisma, id, query.status)),
            ...(query.cursor ? { id: { gt: query.cursor } } : {}),
          },
          orderBy: { id: 'asc' },
          take: query.limit,
        });
        const chunkIds = [...new Set(rows.map((p) => p.chunkId).filter((c): c is string => c !== null))];
        const chunks = new Map(
          (await prisma.payoutChunk.findMany({ where: { id: { in: chunkIds } }, select: { id: true, status: true } })).map((c) => [
            c.id,
            c.status,
          ]),
        );
        res.json({
          items: rows.map((p) => ({
            id: p.id,
            beneficiaryId: p.beneficiaryId,
            walletAddress: p.walletAddress ?? undefined,
            amount: p.amount.toFixed(),
            status: effectiveStatus(p.status, p.chunkId ? chunks.get(p.chunkId) : undefined),
            txHash: p.txHash ?? undefined,
            blockNumber: p.blockNumber === null ? undefined : Number(p.blockNumber),
            failureReason: p.failureReason ?? undefined,
            attempts: p.attempts,
          })),
          nextCursor: rows.length === query.limit ? rows[rows.length - 1]!.id : undefined,
        });
      },
    }),
    route({
      method: 'post',
      path: '/v1/distributions/batches/:id/retry-failed',
      summary: 'Pay the failed payouts of a finished batch again, in a new round',
      tags: ['batches'],
      permission: Permission.DistributionsWrite,
      startsWork: true,
      params,
      responses: { 202: { description: 'Retry round started' }, 409: { description: 'Still running, or nothing failed' } },
      async handler({ req, res, params: { id }, actor }) {
        const batch = await load(id, actor);
        if (!FINAL.includes(batch.status) || batch.status === 'CANCELLED') {
          throw new HttpProblem(409, 'Conflict', `batch ${id} is ${batch.status}; only a completed batch's failures can be retried`);
        }
        const round = batch.round + 1;
        // FAILED payouts were provably not paid (reverted, or never sent): they get new chunks.
        const reset = await prisma.$transaction(async (tx) => {
          const n = await tx.payout.updateMany({
            where: { batchId: id, status: 'FAILED' },
            data: { status: 'PENDING', chunkId: null, chunkIndex: null, txHash: null, failureReason: null, attempts: { increment: 1 } },
          });
          if (n.count > 0) await tx.distributionBatch.update({ where: { id }, data: { round, status: 'CREATED', finishedAt: null } });
          return n.count;
        });
        if (reset === 0) throw new HttpProblem(409, 'Conflict', `batch ${id} has no failed payouts`);
        const workflowId = await startBatchRound(temporal, {
          taskQueue,
          batchId: id,
          projectId: batch.projectId,
          round,
          concurrency: distribution.concurrency,
          requestId: req.id,
        });
        res.status(202).json({ id, round, retried: reset, workflowId, links: { self: `/v1/distributions/batches/${id}` } });
      },
    }),
  ];
}
