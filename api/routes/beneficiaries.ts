import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { z } from 'zod';
import { beneficiaryIdFor } from '../../common/ids';
import { searchAttributeKeys } from '../../common/search-attributes';
import { workflowIds } from '../../common/workflow-ids';
import type { registerBeneficiaryWorkflow } from '../../workflows/register-beneficiary';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { mayAccessProject } from '../auth/actor';
import { Permission } from '../auth/permissions';
import { workflowState } from '../workflow-state';
import { projectId } from './projects';

const register = z.strictObject({
  projectId,
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[\w.:@+-]+$/, 'may contain letters, digits and . _ : @ + - only'),
});
const params = z.strictObject({ id: z.uuid() });

export function beneficiaryRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, temporal, taskQueue } = deps;
  return [
    route({
      method: 'post',
      path: '/v1/beneficiaries',
      summary: 'Register a beneficiary (starts the registration workflow)',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesWrite,
      startsWork: true,
      body: register,
      project: ({ body }) => body.projectId,
      responses: {
        200: { description: 'Already registered and active' },
        202: { description: 'Registration started; poll links.self' },
        422: { description: 'Unknown project' },
      },
      async handler({ req, res, body }) {
        if (!(await prisma.project.findUnique({ where: { id: body.projectId } }))) {
          throw new HttpProblem(422, 'Unknown project', `project ${body.projectId} does not exist`, [
            { field: 'body.projectId', message: 'does not exist' },
          ]);
        }
        const beneficiaryId = beneficiaryIdFor(body.projectId, body.externalId);
        const self = `/v1/beneficiaries/${beneficiaryId}`;
        const existing = await prisma.beneficiary.findUnique({ where: { id: beneficiaryId }, include: { wallet: true } });
        if (existing?.status === 'ACTIVE') {
          res.status(200).location(self).json(present(existing));
          return;
        }
        const workflowId = workflowIds.registration(beneficiaryId);
        await temporal.client.workflow.start<typeof registerBeneficiaryWorkflow>('registerBeneficiaryWorkflow', {
          taskQueue,
          workflowId,
          // A repeated request while registration runs joins it instead of failing.
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          args: [{ beneficiaryId, ...body }],
          typedSearchAttributes: [
            { key: searchAttributeKeys.projectId, value: body.projectId },
            { key: searchAttributeKeys.beneficiaryId, value: beneficiaryId },
          ],
          memo: { requestId: req.id },
        });
        res.status(202).location(self).json({ id: beneficiaryId, status: 'PENDING', workflowId, links: { self } });
      },
    }),
    route({
      method: 'get',
      path: '/v1/beneficiaries/:id',
      summary: 'Get a beneficiary, its state and wallet address',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesRead,
      params,
      responses: { 200: { description: 'The beneficiary' }, 404: { description: 'No such beneficiary' } },
      async handler({ res, params: { id }, actor }) {
        const row = await prisma.beneficiary.findUnique({ where: { id }, include: { wallet: true } });
        if (row && actor && !mayAccessProject(actor, row.projectId)) throw notFound(`beneficiary ${id}`);
        if (row && row.status !== 'PENDING') {
          res.json(present(row));
          return;
        }
        const workflow = await workflowState(temporal, workflowIds.registration(id));
        if (!row && !workflow) throw notFound(`beneficiary ${id}`);
        res.json({ ...(row ? present(row) : { id, status: 'PENDING' }), workflow });
      },
    }),
  ];
}

function present(b: {
  id: string;
  projectId: string;
  externalId: string;
  status: string;
  failureReason: string | null;
  createdAt: Date;
  wallet: { address: string } | null;
}) {
  return {
    id: b.id,
    projectId: b.projectId,
    externalId: b.externalId,
    status: b.status,
    failureReason: b.failureReason ?? undefined,
    walletAddress: b.wallet?.address,
    createdAt: b.createdAt,
  };
}
