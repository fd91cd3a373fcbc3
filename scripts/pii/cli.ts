import { ConfigError, loadConfig } from '../../common/config';
import { KeyRing } from '../../common/crypto/key-ring';
import { createPrisma } from '../../common/db';
import { rekeyPersonalData } from './rekey';

/**
 * `npm run pii:rekey -- [--dry-run] [--batch N]`: re-encrypts stored personal data with
 * PII_ACTIVE_KEY_ID (docs/privacy.md, Rotation). Prints the report as JSON; exits 1 while any
 * value is left under another key or would not open.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a, i) => !['--dry-run', '--batch'].includes(a) && args[i - 1] !== '--batch');
  const batchAt = args.indexOf('--batch');
  const batchSize = batchAt >= 0 ? Number(args[batchAt + 1]) : 500;
  if (unknown.length > 0 || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error('usage: npm run pii:rekey -- [--dry-run] [--batch 1..10000]');
  }
  const config = loadConfig();
  const prisma = createPrisma(config.databaseUrl, { max: 2 });
  try {
    const report = await rekeyPersonalData(prisma, KeyRing.fromSettings(config.pii), { batchSize, dryRun: args.includes('--dry-run') });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (!report.done) process.exitCode = 1;
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exitCode = 2;
});
