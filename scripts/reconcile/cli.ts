import { connectProvider } from '../../activities/chain/client';
import { ConfigError, loadConfig } from '../../common/config';
import { createPrisma } from '../../common/db';
import { reconcileBatch } from './reconcile-batch';

/** `npm run reconcile -- <batchId>`: prints the report as JSON; exits 1 when DB and chain disagree. */
async function main(): Promise<void> {
  const batchId = process.argv[2];
  if (!batchId) throw new Error('usage: npm run reconcile -- <batchId>');
  const config = loadConfig();
  const prisma = createPrisma(config.databaseUrl, { max: 2 });
  const { provider } = await connectProvider(config.chain.rpcUrl);
  try {
    const report = await reconcileBatch(prisma, provider, batchId);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (!report.ok) process.exitCode = 1;
  } finally {
    provider.destroy();
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exitCode = 2;
});
