import { randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Request } from 'express';
import { z } from 'zod';
import { ImportRejected, recordsOf, type UploadFormat } from '../../activities/import-parsers';
import { stageRecords } from '../../activities/import-staging';
import type { PrismaClient } from '../../common/db';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { startImport } from './import-status';
import { projectId } from './projects';

const MAX_BYTES = 64 * 1024 * 1024;
const FORMATS: Record<string, UploadFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson', 'application/json': 'json' };
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .default(fallback);
const uploadQuery = z.strictObject({ projectId, dryRun: flag(false), deployWallets: flag(true), groupId: z.uuid().optional() });

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

/** 422 unless the project exists and the group (if any) belongs to it. */
export async function checkImportTarget(
  prisma: PrismaClient,
  project: string,
  groupId: string | undefined,
  where: 'query' | 'body',
): Promise<void> {
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
}

/** A file streamed into staging by the API itself (never whole in memory), then the workflow. */
export function importUploadRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, privacy, imports } = deps;
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
        await checkImportTarget(prisma, q.projectId, q.groupId, 'query');
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
          // Nothing of a rejected or broken-off upload is kept but the reason.
          const rejected = err instanceof ImportRejected;
          await prisma.importRow.deleteMany({ where: { importId: id } });
          await prisma.beneficiaryImport.update({
            where: { id },
            data: {
              status: rejected ? 'REJECTED' : 'FAILED',
              failureReason: rejected ? err.message : 'the upload broke off',
              finishedAt: new Date(),
            },
          });
          if (!rejected) throw err;
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
  ];
}
