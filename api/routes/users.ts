import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { email } from '../../common/security-config';
import { Prisma } from '../../common/db';
import type { User } from '../../prisma/generated/client';
import { hashPassword } from '../auth/passwords';
import { Permission } from '../auth/permissions';
import { fromDbRole, ROLES, toDbRole } from '../auth/roles';
import { createSessions, normalizeEmail } from '../auth/sessions';
import type { ApiDeps } from '../deps';
import { createdCursor, decodeCursor, olderThan, pageQuery, toPage } from '../pagination';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { projectId } from './projects';
import { requireProjects } from '../auth/grants';

const createUser = z
  .strictObject({
    email,
    password: z.string().min(12, 'must be at least 12 characters').max(256),
    role: z.enum(ROLES),
    projects: z.array(projectId).max(100).default([]),
  })
  .refine((u) => u.role !== 'project-manager' || u.projects.length > 0, {
    message: 'a project manager needs at least one project',
    path: ['projects'],
  })
  .refine((u) => u.role !== 'admin' || u.projects.length === 0, { message: 'admins act on every project; give none', path: ['projects'] });
const params = z.strictObject({ id: z.uuid() });

export const presentUser = (u: User) => ({
  id: u.id,
  email: u.email,
  role: fromDbRole(u.role),
  projects: u.projects,
  disabled: u.disabledAt !== null,
  createdAt: u.createdAt,
});

/** Admin-tool users: create, list, get, disable. */
export function userRoutes({ prisma, security }: ApiDeps): RouteSpec[] {
  const sessions = createSessions(prisma, security.jwtSecret);
  return [
    route({
      method: 'post',
      path: '/v1/users',
      summary: 'Create a user with a role and, except for admins, projects',
      tags: ['users'],
      permission: Permission.UsersManage,
      body: createUser,
      responses: { 201: { description: 'Created' }, 409: { description: 'The email is taken' }, 422: { description: 'Unknown project' } },
      async handler({ res, body }) {
        const projects = [...new Set(body.projects)];
        await requireProjects(prisma, projects);
        const data = {
          id: randomUUID(),
          email: normalizeEmail(body.email),
          passwordHash: await hashPassword(body.password),
          role: toDbRole(body.role),
          projects,
        };
        try {
          const user = await prisma.user.create({ data });
          res.status(201).location(`/v1/users/${user.id}`).json(presentUser(user));
        } catch (err) {
          if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
            throw new HttpProblem(409, 'Conflict', 'a user with this email exists', [{ field: 'body.email', message: 'is taken' }]);
          }
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/users',
      summary: 'List users, newest first',
      tags: ['users'],
      permission: Permission.UsersManage,
      query: z.strictObject(pageQuery),
      responses: { 200: { description: '{ items, nextCursor }' } },
      async handler({ res, query }) {
        const rows = await prisma.user.findMany({
          where: olderThan(decodeCursor(query.cursor, createdCursor)),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        });
        res.json(toPage(rows, query.limit, (u) => [u.createdAt.toISOString(), u.id], presentUser));
      },
    }),
    route({
      method: 'get',
      path: '/v1/users/:id',
      summary: 'Get a user',
      tags: ['users'],
      permission: Permission.UsersManage,
      params,
      responses: { 200: { description: 'The user' }, 404: { description: 'No such user' } },
      async handler({ res, params: { id } }) {
        const user = await prisma.user.findUnique({ where: { id } });
        if (!user) throw notFound(`user ${id}`);
        res.json(presentUser(user));
      },
    }),
    route({
      method: 'post',
      path: '/v1/users/:id/disable',
      summary: 'Disable a user: their tokens stop working at once and their sessions end',
      tags: ['users'],
      permission: Permission.UsersManage,
      params,
      responses: {
        200: { description: 'The disabled user' },
        404: { description: 'No such user' },
        409: { description: 'Cannot disable yourself' },
      },
      async handler({ res, params: { id }, actor }) {
        if (actor?.id === id) throw new HttpProblem(409, 'Conflict', 'you cannot disable yourself');
        const found = await prisma.user.findUnique({ where: { id } });
        if (!found) throw notFound(`user ${id}`);
        const user = found.disabledAt ? found : await prisma.user.update({ where: { id }, data: { disabledAt: new Date() } });
        await sessions.revokeAllOf(id);
        res.json(presentUser(user));
      },
    }),
  ];
}
