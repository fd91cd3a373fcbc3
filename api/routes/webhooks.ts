import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { checkUrlAddress } from '../../common/http/address-policy';
import { isAddressRefused } from '../../common/http/errors';
import type { EventType } from '../../common/outbox';
import type { WebhookSubscription } from '../../prisma/generated/client';
import type { Actor } from '../auth/actor';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { createdCursor, decodeCursor, olderThan, pageQuery, toPage } from '../pagination';
import { HttpProblem, notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { projectId } from './projects';

export const EVENT_TYPES = [
  'beneficiary.created',
  'beneficiary.failed',
  'wallet.created',
  'token.distributed',
  'distribution.failed',
  'batch.completed',
] as const satisfies readonly EventType[];
// Fails to compile when common/outbox.ts gains an event type that is missing above.
const everyTypeListed: Exclude<EventType, (typeof EVENT_TYPES)[number]> extends never ? true : never = true;
void everyTypeListed;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const webhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  // zod runs refinements even after z.url() failed: parse only what parses (else a 500).
  .refine((u) => {
    if (!URL.canParse(u)) return true;
    const url = new URL(u);
    return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
  }, 'must be https (http only to localhost, for development)')
  .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), 'must not contain credentials');

const createWebhook = z.strictObject({
  url: webhookUrl,
  eventTypes: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length),
  /** Only this project's events; omitted: every project's (callers scoped to projects must give one). */
  projectId: projectId.optional(),
});
const params = z.strictObject({ id: z.uuid() });

/** Webhooks a caller may see: project-scoped callers only those of their projects. */
export function visibleTo(actor: Actor | undefined): { projectId?: { in: string[] } } {
  return actor?.projects ? { projectId: { in: [...actor.projects] } } : {};
}

const present = (w: WebhookSubscription) => ({
  id: w.id,
  url: w.url,
  eventTypes: w.eventTypes,
  projectId: w.projectId ?? undefined,
  createdBy: w.createdBy,
  createdAt: w.createdAt,
});

/**
 * Where the URL points now, under OUTBOUND_ADDRESS_POLICY: a URL at an internal address is a
 * 400 on body.url. The worker checks again at every connection (DNS rebinding, common/http).
 */
async function refuseInternal(url: string, outbound: ApiDeps['outbound']): Promise<void> {
  try {
    await checkUrlAddress(url, outbound.addressPolicy, outbound.resolve);
  } catch (err) {
    if (!isAddressRefused(err)) throw err;
    const message = `must not point at a ${err.kind} address: ${err.message}`;
    throw new HttpProblem(400, 'Invalid request', `body.url: ${message}`, [{ field: 'body.url', message }]);
  }
}

/** Webhook registration (docs/events.md): the signing secret is in the creation response only. */
export function webhookRoutes({ prisma, secrets, outbound }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/webhooks',
      summary: 'Register a webhook for event types; the signing secret is shown once',
      tags: ['webhooks'],
      permission: Permission.WebhooksManage,
      body: createWebhook,
      project: ({ body }) => body.projectId,
      responses: {
        201: { description: 'Registered; `secret` signs every delivery and is not retrievable later' },
        400: {
          description: 'Invalid body, or a URL at an address OUTBOUND_ADDRESS_POLICY refuses (loopback, private, link-local, metadata …)',
        },
        403: { description: 'A project-scoped caller gave no projectId' },
        422: { description: 'Unknown project' },
      },
      async handler({ res, body, actor }) {
        await refuseInternal(body.url, outbound);
        if (actor?.projects && body.projectId === undefined) {
          throw new HttpProblem(403, 'Forbidden', 'callers scoped to projects must register webhooks for one of their projects', [
            { field: 'body.projectId', message: 'is required for project-scoped callers' },
          ]);
        }
        if (body.projectId && !(await prisma.project.findUnique({ where: { id: body.projectId } }))) {
          throw new HttpProblem(422, 'Unknown project', `project ${body.projectId} does not exist`, [
            { field: 'body.projectId', message: 'does not exist' },
          ]);
        }
        const secret = `whsec_${randomBytes(32).toString('base64url')}`;
        const row = await prisma.webhookSubscription.create({
          data: {
            id: randomUUID(),
            url: body.url,
            eventTypes: [...new Set(body.eventTypes)],
            projectId: body.projectId ?? null,
            secretEncrypted: secrets.seal(secret),
            createdBy: actor ? `${actor.kind}:${actor.id}` : 'anonymous',
          },
        });
        res
          .status(201)
          .location(`/v1/webhooks/${row.id}`)
          .setHeader('cache-control', 'no-store')
          .json({ ...present(row), secret });
      },
    }),
    route({
      method: 'get',
      path: '/v1/webhooks',
      summary: 'List webhooks (never their secrets), newest first',
      tags: ['webhooks'],
      permission: Permission.WebhooksManage,
      query: z.strictObject(pageQuery),
      responses: { 200: { description: '{ items, nextCursor }' } },
      async handler({ res, query, actor }) {
        const rows = await prisma.webhookSubscription.findMany({
          where: { ...visibleTo(actor), ...olderThan(decodeCursor(query.cursor, createdCursor)) },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        });
        res.json(toPage(rows, query.limit, (w) => [w.createdAt.toISOString(), w.id], present));
      },
    }),
    route({
      method: 'delete',
      path: '/v1/webhooks/:id',
      summary: 'Delete a webhook and its delivery records; nothing more is sent to it',
      tags: ['webhooks'],
      permission: Permission.WebhooksManage,
      params,
      responses: { 204: { description: 'Deleted' }, 404: { description: 'No such webhook' } },
      async handler({ res, params: { id }, actor }) {
        const { count } = await prisma.webhookSubscription.deleteMany({ where: { id, ...visibleTo(actor) } });
        if (count === 0) throw notFound(`webhook ${id}`);
        res.status(204).end();
      },
    }),
  ];
}
