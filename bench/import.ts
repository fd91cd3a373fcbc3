import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startApi } from '../api/server';
import { peakRssMb, say, startBenchStack } from './stack';

/**
 * `npm run bench:import -- --rows 100000 [--deploy]`: one bulk import end to end against a
 * fresh local stack — a generated CSV streamed to the API (parse, validate, encrypt, stage),
 * then the workflow (dedupe, derive owner keys and wallet addresses, enrol in chunks). Prints
 * rows/s and the peak memory of the API and worker processes. --deploy also times the batch
 * deployment of every wallet contract, which the 60 s target does not include.
 */
const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '100000' }, deploy: { type: 'boolean', default: false } },
});
const ROWS = Number(args.rows);
const GENDERS = ['FEMALE', 'MALE', 'OTHER', 'UNKNOWN'];

/** The CSV, generated as it is sent: the bench holds no more of it than the API does. */
function csv(rows: number): Readable {
  return Readable.from(
    (function* () {
      yield 'externalId,name,phone,email,nationalId,gender,birthDate,location,bankedStatus\n';
      for (let i = 1; i <= rows; i += 1000) {
        let block = '';
        for (let n = i; n < Math.min(i + 1000, rows + 1); n++) {
          block += `bench-${n},Person Number ${n},+97798${String(n).padStart(8, '0')},person${n}@example.org,NP-${n},${GENDERS[n % 4]},1990-01-${String((n % 28) + 1).padStart(2, '0')},Ward ${n % 33},UNBANKED\n`;
        }
        yield block;
      }
    })(),
  );
}

async function main(): Promise<void> {
  const stack = await startBenchStack('bench-import');
  const { config, prisma, bearer, infra } = stack;
  await prisma.project.create({ data: { id: 'bench', name: 'Import benchmark' } });
  const worker = await stack.startWorker();
  const api = await startApi(config, pino({ level: 'warn' }));
  const apiRssBefore = process.memoryUsage().rss / 2 ** 20;

  say(`importing ${ROWS} rows`);
  const t0 = performance.now();
  const res = await fetch(`${api.url}/v1/imports?projectId=bench&deployWallets=${args.deploy}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${bearer}` },
    body: Readable.toWeb(csv(ROWS)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const staged = performance.now();
  let imp = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id } });
  const enrolledStates = ['DEPLOYING_WALLETS', 'COMPLETED', 'CANCELLED', 'FAILED'];
  while (!enrolledStates.includes(imp.status)) {
    await new Promise((r) => setTimeout(r, 100));
    imp = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id } });
  }
  const enrolled = performance.now();
  while (!imp.finishedAt) {
    await new Promise((r) => setTimeout(r, 500));
    imp = await prisma.beneficiaryImport.findUniqueOrThrow({ where: { id } });
  }
  const done = performance.now();
  const seconds = (enrolled - t0) / 1000;
  const report = {
    rows: ROWS,
    status: imp.status,
    enrolled: imp.enrolledRows,
    rejected: imp.invalidRows + imp.duplicateRows + imp.failedRows,
    uploadAndStageSeconds: +((staged - t0) / 1000).toFixed(1),
    validateAndEnrolSeconds: +((enrolled - staged) / 1000).toFixed(1),
    endToEndSeconds: +seconds.toFixed(1),
    rowsPerSecond: Math.round(ROWS / seconds),
    ...(args.deploy ? { walletsDeployed: imp.walletsDeployed, deploySeconds: +((done - enrolled) / 1000).toFixed(1) } : {}),
    peakRssMb: {
      api: Math.round(process.resourceUsage().maxRSS / 1024),
      apiAtStart: Math.round(apiRssBefore),
      worker: Math.round(peakRssMb(worker.child.pid!)),
    },
    target: `${seconds < 60 ? 'met' : 'MISSED'}: under 60 s for 100,000 rows`,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `\n${ROWS} rows in ${seconds.toFixed(1)} s = ${report.rowsPerSecond} rows/s; peak RSS api ${report.peakRssMb.api} MB, worker ${report.peakRssMb.worker} MB\n`,
  );

  worker.child.kill('SIGTERM');
  await worker.exited;
  await api.close();
  await prisma.$disconnect();
  await infra.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
