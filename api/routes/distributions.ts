import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { z } from 'zod';
import { searchAttributeKeys } from '../../common/search-attributes';
import { workflowIds } from '../../common/workflow-ids';
import type { distributeTokensWorkflow } from '../../workflows/distribute-tokens';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { mayAccessProject } from '../auth/actor';
import { Permission } from '../auth/permissions';
import { route, type RouteSpec } from '../route-spec';
import { amount, reference } from '../schemas';
import { workflowState } from '../workflow-state';
import { projectId } from './projects';

const distributionId = reference;

const distribute = z.strictObject({
  projectId,
  beneficiaryId: z.uuid(),
  amount,
  /** The caller's own reference; makes a retried request harmless. Generated when absent. */
  distributionId: distributionId.optional(),
});
const params = z.strictObject({ id: distributionId });

export function distributionRoutes({ prisma, temporal, taskQueue }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/tokens/distribute',
      summary: 'Pay one beneficiary (starts the distribution workflow)',
      tags: ['distributions'],
      permission: Permission.DistributionsWrite,
      startsWork: true,
      body: distribute,
      project: ({ body }) => body.projectId,
      responses: {
        202: { description: 'Distribution started (or already known); poll links.self' },
        409: { description: 'distributionId already used for another payout' },
        422: { description: 'Unknown or inactive beneficiary' },
      },
      async handler({ req, res, body }) {
        const beneficiary = await prisma.beneficiary.findUnique({ where: { id: body.beneficiaryId } });
        if (!beneficiary || beneficiary.projectId !== body.projectId) {
          throw new HttpProblem(
            422,
            'Unknown beneficiary',
            `beneficiary ${body.beneficiaryId} is not enrolled in project ${body.projectId}`,
            [{ field: 'body.beneficiaryId', message: 'is not enrolled in this project' }],
          );
        }
        if (beneficiary.status !== 'ACTIVE') {
          throw new HttpProblem(422, 'Beneficiary not active', `beneficiary ${body.beneficiaryId} is ${beneficiary.status}`, [
            { field: 'body.beneficiaryId', message: `is ${beneficiary.status}, not ACTIVE` },
          ]);
        }
        const id = body.distributionId ?? randomUUID();
        const input = { distributionId: id, projectId: body.projectId, beneficiaryId: body.beneficiaryId, amount: body.amount };
        const existing = await prisma.payout.findUnique({ where: { id } });
        // One id space for single and batch payouts: the treasury's guard is keyed by this id, so
        // a batch's payout (or another payout) under it would be paid again.
        if (existing?.batchId) {
          throw new HttpProblem(409, 'Conflict', `distribution ${id} is a payout of batch ${existing.batchId}`, [
            { field: 'body.distributionId', message: 'already used by a batch payout' },
          ]);
        }
        if (
          existing &&
          (existing.beneficiaryId !== input.beneficiaryId ||
            existing.amount.toFixed() !== input.amount ||
            existing.projectId !== input.projectId)
        ) {
          throw new HttpProblem(409, 'Conflict', `distribution ${id} already exists with different parameters`, [
            { field: 'body.distributionId', message: 'already used for another payout' },
          ]);
        }
        const self = `/v1/tokens/distributions/${id}`;
        const workflowId = workflowIds.distribution(id);
        try {
          await temporal.client.workflow.start<typeof distributeTokensWorkflow>('distributeTokensWorkflow', {
            taskQueue,
            workflowId,
            // Join a running payout; never start a finished one again.
            workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
            args: [input],
            typedSearchAttributes: [
              { key: searchAttributeKeys.projectId, value: body.projectId },
              { key: searchAttributeKeys.beneficiaryId, value: body.beneficiaryId },
              { key: searchAttributeKeys.distributionStatus, value: 'PENDING' },
            ],
            memo: { requestId: req.id },
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
        res
          .status(202)
          .location(self)
          .json({ id, status: existing?.status ?? 'PENDING', workflowId, links: { self } });
      },
    }),
    route({
      method: 'get',
      path: '/v1/tokens/distributions/:id',
      summary: 'Get a distribution: status, transaction hash and block',
      tags: ['distributions'],
      permission: Permission.DistributionsRead,
      params,
      responses: { 200: { description: 'The distribution' }, 404: { description: 'No such distribution' } },
      async handler({ res, params: { id }, actor }) {
        const row = await prisma.payout.findUnique({ where: { id } });
        if (row && actor && !mayAccessProject(actor, row.projectId)) throw notFound(`distribution ${id}`);
        const workflow =
          row?.status === 'CONFIRMED' || row?.status === 'FAILED' ? undefined : await workflowState(temporal, workflowIds.distribution(id));
        if (!row && !workflow) throw notFound(`distribution ${id}`);
        if (!row) {
          res.json({ id, status: 'PENDING', workflow });
          return;
        }
        res.json({
          id: row.id,
          projectId: row.projectId,
          beneficiaryId: row.beneficiaryId,
          amount: row.amount.toFixed(),
          status: row.status,
          txHash: row.txHash ?? undefined,
          blockNumber: row.blockNumber === null ? undefined : Number(row.blockNumber),
          failureReason: row.failureReason ?? undefined,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          workflow,
        });
      },
    }),
  ];
}
