import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ApiKey } from '../../prisma/generated/client';
import { requireProjects } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { API_KEY_GRANTABLE } from '../auth/roles';
import { newApiKey, sha256 } from '../auth/tokens';
import type { ApiDeps } from '../deps';
import { createdCursor, decodeCursor, olderThan, pageQuery, toPage } from '../pagination';
import { notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { projectId } from './projects';

const DAY_MS = 24 * 3600 * 1000;
const grantable = [...API_KEY_GRANTABLE] as [string, ...string[]];

const createKey = z.strictObject({
  name: z.string().trim().min(1).max(100),
  projects: z.array(projectId).min(1).max(100),
  permissions: z.array(z.enum(grantable)).min(1),
  /** Days until the key stops working; keys always expire. */
  expiresInDays: z.number().int().min(1).max(730).default(90),
});
const params = z.strictObject({ id: z.uuid() });

const presentKey = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  projects: k.projects,
  permissions: k.permissions,
  expiresAt: k.expiresAt,
  revokedAt: k.revokedAt ?? undefined,
  lastUsedAt: k.lastUsedAt ?? undefined,
  createdBy: k.createdBy,
  createdAt: k.createdAt,
});

/** API keys for external apps: the key is in the creation response only. */
export function apiKeyRoutes({ prisma }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/api-keys',
      summary: 'Create an API key scoped to projects and permissions; the key is shown once',
      tags: ['api-keys'],
      permission: Permission.ApiKeysManage,
      body: createKey,
      responses: { 201: { description: 'Created; `key` is not retrievable later' }, 422: { description: 'Unknown project' } },
      async handler({ res, body, actor }) {
        const projects = [...new Set(body.projects)];
        await requireProjects(prisma, projects);
        const { key, prefix } = newApiKey();
        const row = await prisma.apiKey.create({
          data: {
            id: randomUUID(),
            name: body.name,
            prefix,
            secretHash: sha256(key),
            projects,
            permissions: [...new Set(body.permissions)],
            expiresAt: new Date(Date.now() + body.expiresInDays * DAY_MS),
            createdBy: `${actor!.kind}:${actor!.id}`,
          },
        });
        res
          .status(201)
          .location(`/v1/api-keys/${row.id}`)
          .setHeader('cache-control', 'no-store')
          .json({ ...presentKey(row), key });
      },
    }),
    route({
      method: 'get',
      path: '/v1/api-keys',
      summary: 'List API keys (never their secrets), newest first',
      tags: ['api-keys'],
      permission: Permission.ApiKeysManage,
      query: z.strictObject(pageQuery),
      responses: { 200: { description: '{ items, nextCursor }' } },
      async handler({ res, query }) {
        const rows = await prisma.apiKey.findMany({
          where: olderThan(decodeCursor(query.cursor, createdCursor)),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        });
        res.json(toPage(rows, query.limit, (k) => [k.createdAt.toISOString(), k.id], presentKey));
      },
    }),
    route({
      method: 'delete',
      path: '/v1/api-keys/:id',
      summary: 'Revoke an API key; it stops working at once',
      tags: ['api-keys'],
      permission: Permission.ApiKeysManage,
      params,
      responses: { 204: { description: 'Revoked (or already revoked)' }, 404: { description: 'No such key' } },
      async handler({ res, params: { id } }) {
        const row = await prisma.apiKey.findUnique({ where: { id } });
        if (!row) throw notFound(`API key ${id}`);
        if (!row.revokedAt) await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
        res.status(204).end();
      },
    }),
  ];
}
