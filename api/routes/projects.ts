import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpProblem, notFound } from '../problem';
import { parse } from '../validate';

export const projectId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lowercase letters, digits or dashes');

const createProject = z.strictObject({ id: projectId, name: z.string().trim().min(1).max(200) });
const params = z.strictObject({ id: projectId });

export function projectRoutes({ prisma }: ApiDeps): Router {
  const router = Router();

  router.post('/v1/projects', async (req, res) => {
    const body = parse(createProject, req, 'body');
    const existing = await prisma.project.findUnique({ where: { id: body.id } });
    if (existing) throw new HttpProblem(409, 'Conflict', `project ${body.id} already exists`, [{ field: 'body.id', message: 'already exists' }]);
    const project = await prisma.project.create({ data: body });
    res.status(201).location(`/v1/projects/${project.id}`).json(project);
  });

  router.get('/v1/projects/:id', async (req, res) => {
    const { id } = parse(params, req, 'params');
    const project = await prisma.project.findUnique({ where: { id } });
    if (!project) throw notFound(`project ${id}`);
    res.json(project);
  });

  return router;
}
