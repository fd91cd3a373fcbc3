import { z } from 'zod';
import type { FieldError } from '../../common/beneficiary-input';
import type { PrismaClient } from '../../common/db';
import { IMPORT_PROGRESS_QUERY, type ImportProgress } from '../../common/import-workflow';
import { workflowIds } from '../../common/workflow-ids';
import { mayAccessProject, type Actor } from '../auth/actor';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { workflowState } from '../workflow-state';

const params = z.strictObject({ id: z.uuid() });
const errorQuery = z.strictObject({
  cursor: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export async function loadImport(prisma: PrismaClient, id: string, actor: Actor | undefined) {
  const imp = await prisma.beneficiaryImport.findUnique({ where: { id } });
  if (!imp || (actor && !mayAccessProject(actor, imp.projectId))) throw notFound(`import ${id}`);
  return imp;
}

export function importStatusRoutes({ prisma, temporal }: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/v1/imports/:id',
      summary: 'Import status: counts from the database, and live progress from the workflow while it runs',
      tags: ['imports'],
      permission: Permission.BeneficiariesRead,
      params,
      responses: { 200: { description: 'The import' }, 404: { description: 'No such import' } },
      async handler({ params: { id }, res, actor }) {
        const imp = await loadImport(prisma, id, actor);
        const workflowId = workflowIds.beneficiaryImport(id);
        const workflow = imp.finishedAt ? undefined : await workflowState(temporal, workflowId);
        const progress =
          workflow?.status === 'RUNNING'
            ? await temporal.client.workflow.getHandle(workflowId).query<ImportProgress>(IMPORT_PROGRESS_QUERY)
            : undefined;
        res.json({
          id: imp.id,
          projectId: imp.projectId,
          source: imp.source,
          dryRun: imp.dryRun,
          deployWallets: imp.deployWallets,
          groupId: imp.groupId ?? undefined,
          status: imp.status,
          rows: {
            total: imp.totalRows,
            invalid: imp.invalidRows,
            duplicate: imp.duplicateRows,
            enrolled: imp.enrolledRows,
            failed: imp.failedRows,
            cancelled: imp.cancelledRows,
          },
          walletsDeployed: imp.walletsDeployed,
          failureReason: imp.failureReason ?? undefined,
          progress,
          workflow,
          createdAt: imp.createdAt,
          finishedAt: imp.finishedAt ?? undefined,
          links: { self: `/v1/imports/${id}`, errors: `/v1/imports/${id}/errors` },
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/imports/:id/errors',
      summary: 'The per-row error report (row, field, message) of invalid, duplicate and failed rows',
      tags: ['imports'],
      permission: Permission.BeneficiariesRead,
      params,
      query: errorQuery,
      responses: { 200: { description: '{ items: [{row, status, field, message}], nextCursor }' } },
      async handler({ params: { id }, query, res, actor }) {
        await loadImport(prisma, id, actor);
        const rows = await prisma.importRow.findMany({
          where: { importId: id, status: { in: ['INVALID', 'DUPLICATE', 'FAILED'] }, rowNumber: { gt: query.cursor ?? 0 } },
          select: { rowNumber: true, status: true, errors: true },
          orderBy: { rowNumber: 'asc' },
          take: query.limit,
        });
        const items = rows.flatMap((r) =>
          ((r.errors ?? []) as unknown as FieldError[]).map((e) => ({ row: r.rowNumber, status: r.status, ...e })),
        );
        const last = rows.length === query.limit ? rows[rows.length - 1]!.rowNumber : undefined;
        res.json({ items, ...(last !== undefined ? { nextCursor: String(last) } : {}) });
      },
    }),
  ];
}
