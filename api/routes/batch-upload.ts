import { randomUUID } from 'node:crypto';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { Permission } from '../auth/permissions';
import { createOrResumeBatch } from '../batch-runner';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { amount, reference } from '../schemas';
import { projectId } from './projects';

const MAX_BYTES = 20 * 1024 * 1024;
const MAX_ROWS = 200_000;
const FLUSH = 5000;
const MAX_REPORTED = 100;

const query = z.strictObject({ projectId, batchId: reference.optional() });
const row = z.strictObject({ beneficiaryId: z.uuid(), amount });

interface RowError {
  row: number;
  field: string;
  message: string;
}

/** Streams `beneficiaryId,amount` lines (header optional), never holding the file in memory. */
async function* csvRows(input: Readable): AsyncGenerator<{ n: number; cells: string[] }> {
  let n = 0;
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
    n++;
    const text = line.trim();
    if (!text || (n === 1 && /^beneficiaryId\s*,\s*amount$/i.test(text))) continue;
    yield { n, cells: text.split(',').map((c) => c.trim()) };
  }
}

/** A batch from an uploaded CSV of (beneficiary, amount): hundreds of thousands of rows. */
export function batchUploadRoutes(deps: ApiDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/distributions/batches/upload',
      summary: 'Create a batch from a text/csv body of beneficiaryId,amount lines and start paying it',
      tags: ['batches'],
      permission: Permission.DistributionsWrite,
      startsWork: true,
      // The router spools the body to a temp file and hashes it first (api/upload-spool.ts).
      upload: { contentType: 'text/csv', maxBytes: MAX_BYTES },
      query,
      project: ({ query }) => query.projectId,
      responses: {
        202: { description: 'Batch created and started (or, for the same file and query again, resumed)' },
        409: { description: 'batchId already used by another request' },
        413: { description: 'More than 20 MB' },
        422: { description: 'Rows with errors (row, field, message); nothing was created' },
      },
      async handler({ req, res, query: q, request, upload }) {
        const { fingerprint, keyedId } = request!;
        const id = q.batchId ?? keyedId ?? randomUUID();
        const b = { id, projectId: q.projectId, chosenBy: q.batchId ? { field: 'query.batchId' as const } : ('key' as const) };
        const answer = await createOrResumeBatch(deps, { ...b, fingerprint, requestId: req.id }, () =>
          createFromCsv(deps, { id, projectId: q.projectId, fingerprint }, upload!.open()),
        );
        res.status(202).location(answer.links.self).json(answer);
      },
    }),
  ];
}

/**
 * One transaction: a file with any bad row creates nothing. The batch row, with the request's
 * fingerprint, comes first; each kept row's seq is its place among the kept rows of the file.
 * Returns the payout count.
 */
async function createFromCsv(
  { prisma, distribution }: ApiDeps,
  b: { id: string; projectId: string; fingerprint: string },
  csv: Readable,
): Promise<number> {
  const { id, projectId } = b;
  const errors: RowError[] = [];
  const seen = new Set<string>();
  let count = 0;
  let total = 0n;
  await prisma.$transaction(
    async (tx) => {
      await tx.distributionBatch.create({
        data: { id, projectId, target: { upload: 'text/csv' }, chunkSize: distribution.chunkSize, requestFingerprint: b.fingerprint },
      });
      let pending: { n: number; seq: number; beneficiaryId: string; amount: string }[] = [];
      const flush = async () => {
        // One set-based statement per slice; a beneficiary outside the project is simply not joined.
        // Once a row is bad nothing will be kept, so only the checks still run (a complete report).
        const inserted =
          errors.length > 0
            ? 0
            : await tx.$executeRaw`INSERT INTO payouts (id, project_id, beneficiary_id, batch_id, amount, seq, updated_at)
              SELECT gen_random_uuid()::text, ${projectId}, b.id, ${id}, u.amount::numeric, u.seq, now()
              FROM unnest(${pending.map((p) => p.beneficiaryId)}::uuid[], ${pending.map((p) => p.amount)}::text[],
                          ${pending.map((p) => p.seq)}::int[]) AS u(bid, amount, seq)
              JOIN beneficiaries b ON b.id = u.bid AND b.project_id = ${projectId}`;
        if (inserted < pending.length) {
          const known = new Set(
            (
              await tx.beneficiary.findMany({
                where: { id: { in: pending.map((p) => p.beneficiaryId) }, projectId },
                select: { id: true },
              })
            ).map((r) => r.id),
          );
          for (const p of pending)
            if (!known.has(p.beneficiaryId)) errors.push({ row: p.n, field: 'beneficiaryId', message: 'not enrolled in this project' });
        }
        pending = [];
      };
      for await (const { n, cells } of csvRows(csv)) {
        if (errors.length >= MAX_REPORTED) break;
        const parsed = row.safeParse({ beneficiaryId: cells[0], amount: cells[1] });
        if (cells.length !== 2) errors.push({ row: n, field: 'line', message: 'must have exactly two columns: beneficiaryId,amount' });
        else if (!parsed.success)
          for (const i of parsed.error.issues) errors.push({ row: n, field: String(i.path[0]), message: i.message });
        else if (seen.has(parsed.data.beneficiaryId))
          errors.push({ row: n, field: 'beneficiaryId', message: 'appears earlier in the file' });
        else {
          seen.add(parsed.data.beneficiaryId);
          pending.push({ n, seq: count, ...parsed.data });
          count++;
          total += BigInt(parsed.data.amount);
          if (count > MAX_ROWS) errors.push({ row: n, field: 'line', message: `at most ${MAX_ROWS} rows` });
        }
        if (pending.length >= FLUSH) await flush();
      }
      if (pending.length) await flush();
      if (errors.length === 0 && count === 0) errors.push({ row: 1, field: 'line', message: 'the file has no payouts' });
      if (errors.length)
        throw new HttpProblem(
          422,
          'Invalid rows',
          `${errors.length} rows have errors; nothing was created`,
          errors.map((e) => ({ field: `row ${e.row}: ${e.field}`, message: e.message })),
        );
      await tx.distributionBatch.update({ where: { id }, data: { payoutCount: count, totalAmount: total.toString() } });
    },
    { timeout: 300_000, maxWait: 10_000 },
  );
  return count;
}
