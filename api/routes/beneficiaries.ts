import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { z } from 'zod';
import { ENGINE_ADDRESS_MESSAGE, isEngineAddress } from '../../common/engine-addresses';
import { findConflicts } from '../../activities/beneficiary-rows';
import { beneficiarySchema, toRecord } from '../../common/beneficiary-input';
import { stage } from '../../common/beneficiary-staging';
import type { Prisma } from '../../common/db';
import { idSchemeOf } from '../../common/ids';
import { searchAttributeKeys } from '../../common/search-attributes';
import { workflowIds } from '../../common/workflow-ids';
import type { registerBeneficiaryWorkflow } from '../../workflows/register-beneficiary';
import { mayAccessProject } from '../auth/actor';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { workflowState } from '../workflow-state';
import { present, VIEW_INCLUDE } from './beneficiary-view';
import { projectId } from './projects';

const register = beneficiarySchema({ projectId });
const params = z.strictObject({ id: z.uuid() });

/** Single registration and reading one beneficiary; lists and lookups are in beneficiary-lookup.ts. */
export function beneficiaryRoutes({ prisma, temporal, taskQueue, privacy, projects, idDerivationKey }: ApiDeps): RouteSpec[] {
  const { vault } = privacy;
  const load = (id: string) => prisma.beneficiary.findUnique({ where: { id }, include: VIEW_INCLUDE });
  return [
    route({
      method: 'post',
      path: '/v1/beneficiaries',
      summary: 'Register a beneficiary (starts the registration workflow); personal data is encrypted before it is stored',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesWrite,
      startsWork: true,
      body: register,
      project: ({ body }) => body.projectId,
      responses: {
        200: { description: 'Already registered and active (personal data masked)' },
        202: { description: 'Registration started; poll links.self' },
        409: { description: 'The phone or wallet address belongs to another beneficiary' },
        422: { description: 'Unknown project' },
      },
      async handler({ req, res, body }) {
        const { projectId: project, ...fields } = body;
        const target = await projects.find(project);
        if (!target) {
          throw new HttpProblem(422, 'Unknown project', `project ${project} does not exist`, [
            { field: 'body.projectId', message: 'does not exist' },
          ]);
        }
        if (fields.walletAddress && (await isEngineAddress(prisma, fields.walletAddress))) {
          throw new HttpProblem(400, 'Invalid request', `body.walletAddress: ${ENGINE_ADDRESS_MESSAGE}`, [
            { field: 'body.walletAddress', message: ENGINE_ADDRESS_MESSAGE },
          ]);
        }
        // The id is derived as this project records (legacy sha256 or keyed HMAC): the same person, the same id.
        const staged = stage(vault, idSchemeOf(target, idDerivationKey), toRecord(fields));
        const { beneficiaryId } = staged;
        const self = `/v1/beneficiaries/${beneficiaryId}`;
        const existing = await load(beneficiaryId);
        if (existing?.status === 'ACTIVE') {
          res.status(200).location(self).json(present(existing, vault));
          return;
        }
        const conflict = (await findConflicts(prisma, project, [staged], { checkId: false })).get(beneficiaryId);
        if (conflict)
          throw new HttpProblem(409, 'Conflict', `body.${conflict.field}: ${conflict.message}`, [
            { field: `body.${conflict.field}`, message: conflict.message },
          ]);
        // The workflow gets ids only; the personal data waits here, sealed, for its first activity.
        const draft = {
          projectId: project,
          externalId: staged.externalId,
          profile: staged.profile as Prisma.InputJsonObject,
          personal: staged.personal,
          phoneIndex: staged.phoneIndex,
          walletAddress: staged.walletAddress,
        };
        await prisma.beneficiaryDraft.upsert({ where: { beneficiaryId }, create: { beneficiaryId, ...draft }, update: draft });
        const workflowId = workflowIds.registration(beneficiaryId);
        await temporal.client.workflow.start<typeof registerBeneficiaryWorkflow>('registerBeneficiaryWorkflow', {
          taskQueue,
          workflowId,
          // A repeated request while registration runs joins it instead of failing.
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          args: [{ beneficiaryId, projectId: project }],
          typedSearchAttributes: [
            { key: searchAttributeKeys.projectId, value: project },
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
      summary: 'Get a beneficiary, its state and wallet (personal data masked)',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesRead,
      params,
      responses: { 200: { description: 'The beneficiary' }, 404: { description: 'No such beneficiary' } },
      async handler({ res, params: { id }, actor }) {
        const row = await load(id);
        if (row && actor && !mayAccessProject(actor, row.projectId)) throw notFound(`beneficiary ${id}`);
        if (row && row.status !== 'PENDING') {
          res.json(present(row, vault));
          return;
        }
        const workflow = await workflowState(temporal, workflowIds.registration(id));
        if (!row && !workflow) throw notFound(`beneficiary ${id}`);
        res.json({ ...(row ? present(row, vault) : { id, status: 'PENDING' }), workflow });
      },
    }),
    route({
      method: 'get',
      path: '/v1/beneficiaries/:id/personal',
      summary: 'Get a beneficiary with its personal data in clear',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesReadPersonal,
      params,
      responses: { 200: { description: 'The beneficiary, personal data unmasked' }, 404: { description: 'No such beneficiary' } },
      async handler({ res, params: { id }, actor }) {
        const row = await load(id);
        if (!row || (actor && !mayAccessProject(actor, row.projectId))) throw notFound(`beneficiary ${id}`);
        res.setHeader('cache-control', 'no-store');
        res.json(present(row, vault, { reveal: true }));
      },
    }),
  ];
}
