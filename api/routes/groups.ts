import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { addGroupMembers, listGroupBeneficiaryIds } from '../../common/groups';
import { mayAccessProject } from '../auth/actor';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { projectId } from './projects';

const createGroup = z.strictObject({ projectId, name: z.string().trim().min(1).max(100) });
const params = z.strictObject({ id: z.uuid() });
const memberParams = z.strictObject({ id: z.uuid(), beneficiaryId: z.uuid() });
const addMembers = z.strictObject({ beneficiaryIds: z.array(z.uuid()).min(1).max(1000) });
const memberQuery = z.strictObject({ cursor: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** Groups of beneficiaries in a project: what a distribution batch can target. */
export function groupRoutes({ prisma }: ApiDeps): RouteSpec[] {
  const findGroup = async (id: string, actor: Parameters<typeof mayAccessProject>[0] | undefined) => {
    const group = await prisma.group.findUnique({ where: { id } });
    if (!group || (actor && !mayAccessProject(actor, group.projectId))) throw notFound(`group ${id}`);
    return group;
  };
  return [
    route({
      method: 'post',
      path: '/v1/groups',
      summary: 'Create a group of beneficiaries in a project',
      tags: ['groups'],
      permission: Permission.BeneficiariesWrite,
      body: createGroup,
      project: ({ body }) => body.projectId,
      responses: {
        201: { description: 'Created' },
        409: { description: 'The project has a group of this name' },
        422: { description: 'Unknown project' },
      },
      async handler({ body, res }) {
        if (!(await prisma.project.findUnique({ where: { id: body.projectId } }))) {
          throw new HttpProblem(422, 'Unknown project', `project ${body.projectId} does not exist`, [
            { field: 'body.projectId', message: 'does not exist' },
          ]);
        }
        if (await prisma.group.findUnique({ where: { projectId_name: body } })) {
          throw new HttpProblem(409, 'Conflict', `project ${body.projectId} has a group named so`, [
            { field: 'body.name', message: 'already exists' },
          ]);
        }
        const group = await prisma.group.create({ data: { id: randomUUID(), ...body } });
        res
          .status(201)
          .location(`/v1/groups/${group.id}`)
          .json({ ...group, memberCount: 0 });
      },
    }),
    route({
      method: 'get',
      path: '/v1/groups/:id',
      summary: 'Get a group and its member count',
      tags: ['groups'],
      permission: Permission.BeneficiariesRead,
      params,
      responses: { 200: { description: 'The group' }, 404: { description: 'No such group' } },
      async handler({ params: { id }, res, actor }) {
        const group = await findGroup(id, actor);
        res.json({ ...group, memberCount: await prisma.groupMember.count({ where: { groupId: id } }) });
      },
    }),
    route({
      method: 'post',
      path: '/v1/groups/:id/members',
      summary: 'Add beneficiaries of the same project to a group (up to 1000 per call; repeats are harmless)',
      tags: ['groups'],
      permission: Permission.BeneficiariesWrite,
      params,
      body: addMembers,
      responses: {
        200: { description: 'Added' },
        422: { description: 'Some beneficiaries are not in the group’s project; none was added' },
      },
      async handler({ params: { id }, body, res, actor }) {
        const group = await findGroup(id, actor);
        const result = await addGroupMembers(prisma, group, body.beneficiaryIds);
        if (result.rejected.length) {
          throw new HttpProblem(
            422,
            'Unknown beneficiaries',
            `${result.rejected.length} beneficiaries are not enrolled in project ${group.projectId}; none was added`,
            result.rejected.map((b) => ({ field: 'body.beneficiaryIds', message: `${b} is not in this project` })),
          );
        }
        res.json({ added: result.added });
      },
    }),
    route({
      method: 'get',
      path: '/v1/groups/:id/members',
      summary: 'List the beneficiary ids of a group',
      tags: ['groups'],
      permission: Permission.BeneficiariesRead,
      params,
      query: memberQuery,
      responses: { 200: { description: '{ items: beneficiaryId[], nextCursor }' } },
      async handler({ params: { id }, query, res, actor }) {
        await findGroup(id, actor);
        const page = await listGroupBeneficiaryIds(prisma, id, query.cursor, query.limit);
        res.json({ items: page.ids, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
      },
    }),
    route({
      method: 'delete',
      path: '/v1/groups/:id/members/:beneficiaryId',
      summary: 'Remove a beneficiary from a group',
      tags: ['groups'],
      permission: Permission.BeneficiariesWrite,
      params: memberParams,
      responses: { 204: { description: 'Removed (or was not a member)' } },
      async handler({ params: p, res, actor }) {
        await findGroup(p.id, actor);
        await prisma.groupMember.deleteMany({ where: { groupId: p.id, beneficiaryId: p.beneficiaryId } });
        res.status(204).end();
      },
    }),
  ];
}
