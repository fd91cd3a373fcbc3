import { randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Request } from 'express';
import { z } from 'zod';
import { ImportRejected, recordsOf, type UploadFormat } from '../../activities/import-parsers';
import { stageRecords } from '../../activities/import-staging';
import { CANCEL_IMPORT_SIGNAL, type ImportWorkflowInput } from '../../common/import-workflow';
import { workflowIds } from '../../common/workflow-ids';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { importStatusRoutes, loadImport, startImport } from './import-status';
import { projectId } from './projects';

const MAX_BYTES = 64 * 1024 * 1024;
const FORMATS: Record<string, UploadFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson', 'application/json': 'json' };
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .default(fallback);
const options = { dryRun: flag(false), deployWallets: flag(true), groupId: z.uuid().optional() };
const uploadQuery = z.strictObject({ projectId, ...options });
const pullBody = z.strictObject({
  projectId,
  partner: z.string().regex(/^[a-z0-9-]{1,32}$/),
  dryRun: z.boolean().default(false),
  deployWallets: z.boolean().default(true),
  groupId: z.uuid().optional(),
});

/** Counts bytes as they stream and stops the upload past the limit. */
function limited(req: Request): Transform {
  let bytes = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > MAX_BYTES ? new ImportRejected(`uploads are limited to ${MAX_BYTES} bytes`, 413) : null, chunk);
    },
  });
  req.on('error', (err) => t.destroy(err));
  return req.pipe(t);
}

/** Bulk registration: an uploaded file, or a pull from a configured partner registry. */
export function importRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, privacy, imports } = deps;
  const checkTarget = async (project: string, groupId: string | undefined, where: 'query' | 'body') => {
    if (!(await prisma.project.findUnique({ where: { id: project } }))) {
      throw new HttpProblem(422, 'Unknown project', `project ${project} does not exist`, [
        { field: `${where}.projectId`, message: 'does not exist' },
      ]);
    }
    if (groupId && !(await prisma.group.findFirst({ where: { id: groupId, projectId: project } }))) {
      throw new HttpProblem(422, 'Unknown group', `group ${groupId} is not in project ${project}`, [
        { field: `${where}.groupId`, message: 'is not a group of this project' },
      ]);
    }
  };
  return [
    route({
      method: 'post',
      path: '/v1/imports',
      summary: 'Import up to 100,000 beneficiaries from a CSV, JSON array or JSON Lines body (streamed); dryRun=true only validates',
      tags: ['imports'],
      permission: Permission.BeneficiariesWrite,
      upload: { contentType: Object.keys(FORMATS), maxBytes: MAX_BYTES },
      query: uploadQuery,
      project: ({ query }) => query.projectId,
      responses: {
        202: { description: 'Staged and started; poll links.self, rows with errors at links.errors' },
        400: { description: 'The file is unusable (malformed, unknown column); nothing was imported' },
        413: { description: 'More than 100,000 rows or 64 MiB' },
        422: { description: 'Unknown project or group' },
      },
      async handler({ req, res, query: q }) {
        await checkTarget(q.projectId, q.groupId, 'query');
        const format = FORMATS[String(req.is(Object.keys(FORMATS)))]!;
        const id = randomUUID();
        await prisma.beneficiaryImport.create({
          data: {
            id,
            projectId: q.projectId,
            source: format,
            dryRun: q.dryRun,
            deployWallets: q.deployWallets,
            groupId: q.groupId,
            chunkSize: imports.chunkSize,
          },
        });
        let staged: { total: number; invalid: number };
        try {
          staged = await stageRecords(
            { prisma, vault: privacy.vault },
            { importId: id, projectId: q.projectId, dryRun: q.dryRun },
            recordsOf(format, limited(req)),
          );
        } catch (err) {
          if (!(err instanceof ImportRejected)) throw err;
          // Nothing of a rejected file is kept but the reason.
          await prisma.importRow.deleteMany({ where: { importId: id } });
          await prisma.beneficiaryImport.update({
            where: { id },
            data: { status: 'REJECTED', failureReason: err.message, finishedAt: new Date() },
          });
          throw new HttpProblem(err.status, err.status === 413 ? 'Payload Too Large' : 'Unusable file', err.message);
        }
        await prisma.beneficiaryImport.update({
          where: { id },
          data: { status: 'VALIDATING', totalRows: staged.total, invalidRows: staged.invalid },
        });
        res
          .status(202)
          .location(`/v1/imports/${id}`)
          .json(
            await startImport(
              deps,
              req,
              { importId: id, projectId: q.projectId, dryRun: q.dryRun, deployWallets: q.deployWallets, fromPartner: false },
              staged,
            ),
          );
      },
    }),
    route({
      method: 'post',
      path: '/v1/imports/pull',
      summary: 'Import beneficiaries from a configured partner registry (IMPORT_PARTNERS), pulled page by page by the workflow',
      tags: ['imports'],
      permission: Permission.BeneficiariesWrite,
      startsWork: true,
      body: pullBody,
      project: ({ body }) => body.projectId,
      responses: { 202: { description: 'Started; poll links.self' }, 422: { description: 'Unknown project, group or partner' } },
      async handler({ req, res, body }) {
        await checkTarget(body.projectId, body.groupId, 'body');
        if (!imports.partners.includes(body.partner)) {
          throw new HttpProblem(422, 'Unknown partner', `no partner registry named ${body.partner} is configured`, [
            { field: 'body.partner', message: 'is not configured (IMPORT_PARTNERS)' },
          ]);
        }
        const id = randomUUID();
        await prisma.beneficiaryImport.create({
          data: {
            id,
            projectId: body.projectId,
            source: `partner:${body.partner}`,
            dryRun: body.dryRun,
            deployWallets: body.deployWallets,
            groupId: body.groupId,
            chunkSize: imports.chunkSize,
          },
        });
        const input: ImportWorkflowInput = {
          importId: id,
          projectId: body.projectId,
          dryRun: body.dryRun,
          deployWallets: body.deployWallets,
          fromPartner: true,
        };
        res
          .status(202)
          .location(`/v1/imports/${id}`)
          .json(await startImport(deps, req, input));
      },
    }),
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
