import { z } from 'zod';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { decodeCursor, pageQuery, toPage } from '../pagination';
import { route, type RouteSpec } from '../route-spec';

const auditQuery = z.strictObject({
  ...pageQuery,
  /** Actor id (user id, API key id, or idp:<subject>). */
  actor: z
    .string()
    .regex(/^[\w.:|-]{1,200}$/)
    .optional(),
  /** Method and path template, e.g. "POST /v1/api-keys". */
  action: z
    .string()
    .regex(/^(POST|PUT|PATCH|DELETE) \/[\w/:.-]{0,190}$/, 'must be "METHOD /path/template"')
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
});

export function auditRoutes({ prisma }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/audit',
      summary: 'The audit log of mutations, newest first',
      tags: ['audit'],
      permission: Permission.AuditRead,
      query: auditQuery,
      responses: { 200: { description: '{ items, nextCursor }' } },
      async handler({ res, query }) {
        const before = decodeCursor(query.cursor, z.string().regex(/^\d{1,19}$/));
        const rows = await prisma.auditLog.findMany({
          where: {
            ...(before ? { id: { lt: BigInt(before) } } : {}),
            ...(query.actor ? { actorId: query.actor } : {}),
            ...(query.action ? { action: query.action } : {}),
            ...(query.since ? { at: { gte: new Date(query.since) } } : {}),
          },
          orderBy: { id: 'desc' },
          take: query.limit + 1,
        });
        res.json(
          toPage(
            rows,
            query.limit,
            (r) => r.id.toString(),
            (r) => ({ ...r, id: r.id.toString(), targetId: r.targetId ?? undefined }),
          ),
        );
      },
    }),
  ];
}
