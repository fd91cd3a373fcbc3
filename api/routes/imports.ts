import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CANCEL_IMPORT_SIGNAL } from '../../common/import-workflow';
import { workflowIds } from '../../common/workflow-ids';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { importAccepted, importOfRequest, inputOf, startImportWorkflow } from './import-start';
import { importStatusRoutes, loadImport } from './import-status';
import { checkImportTarget, importUploadRoutes } from './import-upload';
import { projectId } from './projects';

const pullBody = z.strictObject({
  projectId,
  partner: z.string().regex(/^[a-z0-9-]{1,32}$/),
  dryRun: z.boolean().default(false),
  deployWallets: z.boolean().default(true),
  groupId: z.uuid().optional(),
});

/** Bulk registration: an uploaded file, or a pull from a configured partner registry. */
export function importRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, imports } = deps;
  return [
    route({
      method: 'post',
      path: '/v1/imports/pull',
      summary: 'Import beneficiaries from a configured partner registry (IMPORT_PARTNERS), pulled page by page by the workflow',
      tags: ['imports'],
      permission: Permission.BeneficiariesWrite,
      startsWork: true,
      body: pullBody,
      project: ({ body }) => body.projectId,
      responses: {
        202: { description: 'Started (or, for the same request again, resumed); poll links.self' },
        422: { description: 'Unknown project, group or partner' },
      },
      async handler({ req, res, body, request }) {
        const { fingerprint, keyedId } = request!;
        await checkImportTarget(prisma, body.projectId, body.groupId, 'body');
        if (!imports.partners.includes(body.partner)) {
          throw new HttpProblem(422, 'Unknown partner', `no partner registry named ${body.partner} is configured`, [
            { field: 'body.partner', message: 'is not configured (IMPORT_PARTNERS)' },
          ]);
        }
        const id = keyedId ?? randomUUID();
        // The same request again (its workflow may never have started) resumes the import it made.
        const found = await importOfRequest(prisma, id, fingerprint);
        const imp =
          found ??
          (await prisma.beneficiaryImport.create({
            data: {
              id,
              projectId: body.projectId,
              source: `partner:${body.partner}`,
              dryRun: body.dryRun,
              deployWallets: body.deployWallets,
              groupId: body.groupId,
              chunkSize: imports.chunkSize,
              requestFingerprint: fingerprint,
            },
          }));
        const input = inputOf(imp);
        if (!imp.finishedAt) await startImportWorkflow(deps, req, input);
        res.status(202).location(`/v1/imports/${id}`).json(importAccepted(input));
      },
    }),
    ...importUploadRoutes(deps),
    ...importStatusRoutes(deps),
    route({
      method: 'post',
      path: '/v1/imports/:id/cancel',
      summary: 'Cancel an import: chunks already enrolled stay, the rest is not imported',
      tags: ['imports'],
      permission: Permission.BeneficiariesWrite,
      params: z.strictObject({ id: z.uuid() }),
      responses: {
        202: { description: 'Cancellation requested; the import stops after the chunk in progress' },
        404: { description: 'No such import' },
        409: { description: 'Already finished' },
      },
      async handler({ params: { id }, res, actor }) {
        const imp = await loadImport(prisma, id, actor);
        if (imp.finishedAt) throw new HttpProblem(409, 'Conflict', `import ${id} is already ${imp.status}`);
        await deps.temporal.client.workflow.getHandle(workflowIds.beneficiaryImport(id)).signal(CANCEL_IMPORT_SIGNAL);
        res.status(202).json({ id, status: imp.status, cancelRequested: true, links: { self: `/v1/imports/${id}` } });
      },
    }),
  ];
}
