import { getAddress } from 'ethers';
import { z } from 'zod';
import { phoneSchema } from '../../common/beneficiary-input';
import type { Prisma } from '../../common/db';
import type { Actor } from '../auth/actor';
import { mayAccessProject } from '../auth/actor';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { decodeCursor, pageQuery, toPage } from '../pagination';
import { route, type RouteSpec } from '../route-spec';
import { present, VIEW_INCLUDE } from './beneficiary-view';
import { projectId } from './projects';

const listQuery = z.strictObject({
  projectId: projectId.optional(),
  status: z.enum(['PENDING', 'ACTIVE', 'FAILED']).optional(),
  groupId: z.uuid().optional(),
  importId: z.uuid().optional(),
  gender: z.enum(['FEMALE', 'MALE', 'OTHER', 'UNKNOWN']).optional(),
  ...pageQuery,
});
// POST, not GET: a phone number in a URL ends up in proxy and browser logs.
const phoneLookup = z.strictObject({ phone: phoneSchema, projectId: projectId.optional() });
const walletParams = z.strictObject({ address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address') });

/** Project-scoped callers see their projects only, whether or not they filter by one. */
function scope(actor: Actor | undefined, projectId: string | undefined): Prisma.BeneficiaryWhereInput {
  if (projectId !== undefined) return { projectId };
  return actor?.projects ? { projectId: { in: [...actor.projects] } } : {};
}

/** Reading many: list with filters, and the two lookups. Personal data is always masked here. */
export function beneficiaryLookupRoutes({ prisma, privacy }: ApiDeps): RouteSpec[] {
  const { vault } = privacy;
  const show = (row: Parameters<typeof present>[0]) => present(row, vault);
  return [
    route({
      method: 'get',
      path: '/v1/beneficiaries',
      summary: 'List beneficiaries (filters, keyset pagination; personal data masked)',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesRead,
      query: listQuery,
      project: ({ query }) => query.projectId,
      responses: { 200: { description: '{ items, nextCursor }' } },
      async handler({ res, query: q, actor }) {
        const after = decodeCursor(q.cursor, z.uuid());
        const rows = await prisma.beneficiary.findMany({
          where: {
            ...scope(actor, q.projectId),
            ...(q.status ? { status: q.status } : {}),
            ...(q.gender ? { gender: q.gender } : {}),
            ...(q.importId ? { importId: q.importId } : {}),
            ...(q.groupId ? { groups: { some: { groupId: q.groupId } } } : {}),
            ...(after ? { id: { gt: after } } : {}),
          },
          include: VIEW_INCLUDE,
          orderBy: { id: 'asc' },
          take: q.limit + 1,
        });
        res.json(toPage(rows, q.limit, (r) => r.id, show));
      },
    }),
    route({
      method: 'post',
      path: '/v1/beneficiaries/lookup/phone',
      summary: 'Find beneficiaries by phone number, through the blind index (no plaintext search)',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesRead,
      body: phoneLookup,
      project: ({ body }) => body.projectId,
      responses: { 200: { description: '{ items }: at most one per project' } },
      async handler({ res, body, actor }) {
        const rows = await prisma.beneficiary.findMany({
          where: { ...scope(actor, body.projectId), personal: { phoneIndex: vault.phoneIndex(body.phone) } },
          include: VIEW_INCLUDE,
          orderBy: { projectId: 'asc' },
        });
        res.json({ items: rows.map(show) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/beneficiaries/lookup/wallet/:address',
      summary: 'Find the beneficiary who owns a wallet address',
      tags: ['beneficiaries'],
      permission: Permission.BeneficiariesRead,
      params: walletParams,
      responses: { 200: { description: 'The beneficiary' }, 404: { description: 'No beneficiary has this wallet' } },
      async handler({ res, params, actor }) {
        const wallet = await prisma.wallet.findUnique({
          where: { address: getAddress(params.address.toLowerCase()) },
          select: { beneficiaryId: true },
        });
        const row = wallet && (await prisma.beneficiary.findUnique({ where: { id: wallet.beneficiaryId }, include: VIEW_INCLUDE }));
        if (!row || (actor && !mayAccessProject(actor, row.projectId))) throw notFound(`a beneficiary with wallet ${params.address}`);
        res.json(show(row));
      },
    }),
  ];
}
