import { z } from 'zod';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';

export const projectId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lowercase letters, digits or dashes');

const name = z.string().trim().min(1).max(200);
const createProject = z.strictObject({ id: projectId, name });
const changeProject = z.strictObject({ name });
const params = z.strictObject({ id: projectId });

export function projectRoutes({ prisma, projects }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/projects',
      summary: 'Create a project',
      tags: ['projects'],
      permission: Permission.ProjectsWrite,
      body: createProject,
      responses: { 201: { description: 'Created' }, 409: { description: 'A project with this id exists' } },
      async handler({ body, res }) {
        const existing = await prisma.project.findUnique({ where: { id: body.id } });
        if (existing)
          throw new HttpProblem(409, 'Conflict', `project ${body.id} already exists`, [{ field: 'body.id', message: 'already exists' }]);
        const project = await prisma.project.create({ data: body });
        res.status(201).location(`/v1/projects/${project.id}`).json(project);
      },
    }),
    route({
      method: 'get',
      path: '/v1/projects/:id',
      summary: 'Get a project',
      tags: ['projects'],
      permission: Permission.ProjectsRead,
      params,
      project: ({ params }) => params.id,
      responses: { 200: { description: 'The project' }, 404: { description: 'No such project' } },
      async handler({ params, res }) {
        const project = await projects.find(params.id);
        if (!project) throw notFound(`project ${params.id}`);
        res.json(project);
      },
    }),
    route({
      method: 'patch',
      path: '/v1/projects/:id',
      summary: 'Change a project (its name); every API instance answers the change at once',
      tags: ['projects'],
      permission: Permission.ProjectsWrite,
      params,
      body: changeProject,
      project: ({ params }) => params.id,
      responses: { 200: { description: 'The changed project' }, 404: { description: 'No such project' } },
      async handler({ params, body, res }) {
        const project = await projects.rename(params.id, body.name);
        if (!project) throw notFound(`project ${params.id}`);
        res.json(project);
      },
    }),
  ];
}
