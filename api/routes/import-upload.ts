import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ImportRejected, recordsOf, type UploadFormat } from '../../activities/import-parsers';
import { stageRecords } from '../../activities/import-staging';
import type { PrismaClient } from '../../common/db';
import { idSchemeOf, type IdScheme } from '../../common/ids';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { importAccepted, importOfRequest, inputOf, startImportWorkflow } from './import-start';
import { projectId } from './projects';

const MAX_BYTES = 64 * 1024 * 1024;
const FORMATS: Record<string, UploadFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson', 'application/json': 'json' };
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .default(fallback);
const uploadQuery = z.strictObject({ projectId, dryRun: flag(false), deployWallets: flag(true), groupId: z.uuid().optional() });

/** Statuses of an import whose upload is (re)staged from a retry's body: never staged completely, or refused. */
const RESTAGED = ['RECEIVING', 'REJECTED'];

/** The project, after a 422 unless it exists and the group (if any) belongs to it. */
export async function checkImportTarget(
  prisma: PrismaClient,
  project: string,
  groupId: string | undefined,
  where: 'query' | 'body',
): Promise<{ id: string; idDerivation: number }> {
  const found = await prisma.project.findUnique({ where: { id: project } });
  if (!found) {
    throw new HttpProblem(422, 'Unknown project', `project ${project} does not exist`, [
      { field: `${where}.projectId`, message: 'does not exist' },
    ]);
  }
  if (groupId && !(await prisma.group.findFirst({ where: { id: groupId, projectId: project } }))) {
    throw new HttpProblem(422, 'Unknown group', `group ${groupId} is not in project ${project}`, [
      { field: `${where}.groupId`, message: 'is not a group of this project' },
    ]);
  }
  return found;
}

/** A file streamed into staging by the API itself (never whole in memory), then the workflow. */
export function importUploadRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, imports } = deps;
  return [
    route({
      method: 'post',
      path: '/v1/imports',
      summary: 'Import up to 100,000 beneficiaries from a CSV, JSON array or JSON Lines body (streamed); dryRun=true only validates',
      tags: ['imports'],
      permission: Permission.BeneficiariesWrite,
      startsWork: true,
      // The router spools the body to a temp file and hashes it first (api/upload-spool.ts).
      upload: { contentType: Object.keys(FORMATS), maxBytes: MAX_BYTES },
      query: uploadQuery,
      project: ({ query }) => query.projectId,
      responses: {
        202: {
          description:
            'Staged and started (or, for the same file and query again, resumed); poll links.self, rows with errors at links.errors',
        },
        400: { description: 'The file is unusable (malformed, unknown column); nothing was imported' },
        413: { description: 'More than 100,000 rows or 64 MiB' },
        422: { description: 'Unknown project or group' },
      },
      async handler({ req, res, query: q, request, upload }) {
        const { fingerprint, keyedId } = request!;
        const project = await checkImportTarget(prisma, q.projectId, q.groupId, 'query');
        const format = FORMATS[String(req.is(Object.keys(FORMATS)))]!;
        const id = keyedId ?? randomUUID();
        const input = { importId: id, projectId: q.projectId, dryRun: q.dryRun, deployWallets: q.deployWallets, fromPartner: false };
        // A refused file changed nothing, and its 4xx freed the key: the key may carry another file.
        const found = await importOfRequest(prisma, id, fingerprint, ['REJECTED']);
        if (found && !RESTAGED.includes(found.status)) {
          // Staged by this request before; its workflow may never have started.
          if (!found.finishedAt) await startImportWorkflow(deps, req, inputOf(found));
          res
            .status(202)
            .location(`/v1/imports/${id}`)
            .json(importAccepted(inputOf(found), { total: found.totalRows, invalid: found.invalidRows }));
          return;
        }
        const fields = {
          source: format,
          dryRun: q.dryRun,
          deployWallets: q.deployWallets,
          groupId: q.groupId ?? null,
          requestFingerprint: fingerprint,
        };
        if (found) {
          // Its first upload died mid-staging (or was refused): staged again from this body.
          await prisma.$transaction([
            prisma.importRow.deleteMany({ where: { importId: id } }),
            prisma.beneficiaryImport.update({
              where: { id },
              data: { ...fields, status: 'RECEIVING', failureReason: null, finishedAt: null, totalRows: 0, invalidRows: 0 },
            }),
          ]);
        } else {
          await prisma.beneficiaryImport.create({ data: { id, projectId: q.projectId, chunkSize: imports.chunkSize, ...fields } });
        }
        const ids = idSchemeOf(project, deps.idDerivationKey);
        const staged = await stage(deps, { ...input, ids }, recordsOf(format, upload!.open()), keyedId !== undefined);
        await prisma.beneficiaryImport.update({
          where: { id },
          data: { status: 'VALIDATING', totalRows: staged.total, invalidRows: staged.invalid },
        });
        await startImportWorkflow(deps, req, input);
        res.status(202).location(`/v1/imports/${id}`).json(importAccepted(input, staged));
      },
    }),
  ];
}

/**
 * Stages the records; of a refused file nothing is kept but the reason (REJECTED). When staging
 * breaks for another reason, a keyed import stays RECEIVING for the retry with the key to
 * restage; one without a key cannot be retried, and is FAILED.
 */
async function stage(
  { prisma, privacy }: ApiDeps,
  target: { importId: string; ids: IdScheme; dryRun: boolean },
  records: ReturnType<typeof recordsOf>,
  keyed: boolean,
): Promise<{ total: number; invalid: number }> {
  const id = target.importId;
  try {
    return await stageRecords({ prisma, vault: privacy.vault }, target, records);
  } catch (err) {
    const rejected = err instanceof ImportRejected;
    const forget = prisma.importRow.deleteMany({ where: { importId: id } });
    if (!rejected && keyed) {
      await forget.catch(() => undefined); // best effort: the restage clears them too
      throw err;
    }
    await forget;
    await prisma.beneficiaryImport.update({
      where: { id },
      data: { status: rejected ? 'REJECTED' : 'FAILED', failureReason: rejected ? err.message : 'staging failed', finishedAt: new Date() },
    });
    if (!rejected) throw err;
    throw new HttpProblem(err.status, err.status === 413 ? 'Payload Too Large' : 'Unusable file', err.message);
  }
}
