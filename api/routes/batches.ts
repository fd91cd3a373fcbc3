import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Permission } from '../auth/permissions';
import { mayAccessProject } from '../auth/actor';
import { createOrResumeBatch } from '../batch-runner';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { amount, exactlyOneOf, reference } from '../schemas';
import { batchView } from './batch-view';
import { projectId } from './projects';

const MAX_INLINE = 1000;

const createBatch = exactlyOneOf(
  z
    .strictObject({
      projectId,
      batchId: reference.optional(),
      /** Explicit payouts: (beneficiary, amount) pairs. */
      payouts: z
        .array(z.strictObject({ beneficiaryId: z.uuid(), amount }))
        .min(1)
        .max(MAX_INLINE)
        .optional(),
      /** Or the same amount to each of these beneficiaries… */
      beneficiaryIds: z.array(z.uuid()).min(1).max(MAX_INLINE).optional(),
      /** …or to every member of this group (any size). */
      groupId: z.uuid().optional(),
      amount: amount.optional(),
    })
    // Runs even when no target is given (zod runs every refinement): it must not assume one.
    .refine(
      (b) => {
        const ids = b.payouts?.map((p) => p.beneficiaryId) ?? b.beneficiaryIds ?? [];
        return new Set(ids).size === ids.length;
      },
      { message: 'a beneficiary appears twice', path: ['payouts'] },
    ),
  [['payouts'], ['beneficiaryIds', 'amount'], ['groupId', 'amount']],
  'give exactly one of: payouts; beneficiaryIds with amount; groupId with amount',
);
const params = z.strictObject({ id: reference });

export function batchRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, distribution } = deps;
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
      responses: {
        202: { description: 'Batch created and started (or, for the same request again, resumed); poll links.self' },
        409: { description: 'batchId already used by another request' },
        422: { description: 'Beneficiaries not enrolled in the project, or a group not in it or without members' },
      },
      async handler({ req, res, body, request }) {
        const { fingerprint, keyedId } = request!;
        const id = body.batchId ?? keyedId ?? randomUUID();
        const b = { id, projectId: body.projectId, chosenBy: body.batchId ? { field: 'body.batchId' as const } : ('key' as const) };
        const answer = await createOrResumeBatch(deps, { ...b, fingerprint, requestId: req.id }, async () => {
          if (body.groupId)
            return createGroupBatch(deps, { id, projectId: body.projectId, groupId: body.groupId, amount: body.amount!, fingerprint });
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
          // The batch row first: a concurrent create of the same id fails on it, before any payout.
          await prisma.$transaction([
            prisma.distributionBatch.create({
              data: {
                id,
                projectId: body.projectId,
                target: { inline: true },
                chunkSize: distribution.chunkSize,
                payoutCount: items.length,
                totalAmount: items.reduce((sum, i) => sum + BigInt(i.amount), 0n).toString(),
                requestFingerprint: fingerprint,
              },
            }),
            // seq: the request's order, fixed for the payout's life (the on-chain guard's index).
            prisma.payout.createMany({
              data: items.map((i, seq) => ({
                id: randomUUID(),
                projectId: body.projectId,
                batchId: id,
                beneficiaryId: i.beneficiaryId,
                amount: i.amount,
                seq,
              })),
            }),
          ]);
          return items.length;
        });
        res.status(202).location(answer.links.self).json(answer);
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

/**
 * One payout per member of the group, written set-based in one statement (groups can be large),
 * numbered (seq) in beneficiary id order. Returns the payout count.
 */
async function createGroupBatch(
  { prisma, distribution }: ApiDeps,
  b: { id: string; projectId: string; groupId: string; amount: string; fingerprint: string },
): Promise<number> {
  const group = await prisma.group.findUnique({ where: { id: b.groupId } });
  if (!group || group.projectId !== b.projectId) {
    throw new HttpProblem(422, 'Unknown group', `group ${b.groupId} is not in project ${b.projectId}`, [
      { field: 'body.groupId', message: 'not in this project' },
    ]);
  }
  return prisma.$transaction(async (tx) => {
    await tx.distributionBatch.create({
      data: {
        id: b.id,
        projectId: b.projectId,
        target: { groupId: b.groupId },
        chunkSize: distribution.chunkSize,
        requestFingerprint: b.fingerprint,
      },
    });
    const n = await tx.$executeRaw`INSERT INTO payouts (id, project_id, beneficiary_id, batch_id, amount, seq, updated_at)
      SELECT gen_random_uuid()::text, ${b.projectId}, m.beneficiary_id, ${b.id}, ${b.amount}::numeric,
        (row_number() OVER (ORDER BY m.beneficiary_id) - 1)::int, now()
      FROM group_members m WHERE m.group_id = ${b.groupId}::uuid`;
    if (n === 0)
      throw new HttpProblem(422, 'Empty group', `group ${b.groupId} has no members`, [
        { field: 'body.groupId', message: 'has no members' },
      ]);
    await tx.distributionBatch.update({
      where: { id: b.id },
      data: { payoutCount: n, totalAmount: (BigInt(b.amount) * BigInt(n)).toString() },
    });
    return n;
  });
}
