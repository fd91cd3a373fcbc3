import { createHash, randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowIdConflictPolicy } from '@temporalio/client';
import { parseUnits } from 'ethers';
import { ConfigError, loadConfig } from '../common/config';
import { createDataConverter } from '../common/data-converter';
import { createPrisma } from '../common/db';
import { uuidFromDigest } from '../common/ids';
import { workflowIds } from '../common/workflow-ids';

const USAGE = 'usage: npm run treasury:mint -- <tokens, e.g. 1000000> [--key <text naming this mint, e.g. top-up-2026-12>]';

/**
 * `npm run treasury:mint -- <tokens> [--key <text>]`: an operator's top-up of the treasury.
 * Minting is not an API operation; this asks the admin worker (the only holder of the minter's
 * key) through the same treasury-operation workflow the API uses for budgets, waits, and prints
 * the outcome. With --key the operation's id comes from the key: running the command again
 * (a timeout, a lost terminal) joins that mint instead of minting twice.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keyAt = args.indexOf('--key');
  const key = keyAt >= 0 ? args[keyAt + 1] : undefined;
  if (keyAt >= 0) args.splice(keyAt, 2);
  const [tokens, ...rest] = args;
  if (!tokens || rest.length || !/^\d+(\.\d+)?$/.test(tokens) || (keyAt >= 0 && !key)) throw new Error(USAGE);
  const amount = parseUnits(tokens, 18).toString();
  const config = loadConfig();
  const prisma = createPrisma(config.databaseUrl, { max: 1 });
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const id = key
      ? uuidFromDigest(
          createHash('sha256')
            .update(JSON.stringify(['treasury-mint', key]))
            .digest(),
        )
      : randomUUID();
    const found = await prisma.treasuryOperation.findUnique({ where: { id } });
    if (found && (found.kind !== 'MINT' || found.amount?.toFixed() !== amount))
      throw new Error(`--key ${key} already named a mint of ${found.amount?.toFixed()} base units; use a new key`);
    if (!found)
      await prisma.treasuryOperation.create({ data: { id, kind: 'MINT', amount, requestedBy: `operator:${process.env.USER ?? 'cli'}` } });
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.pii) });
    // A second run joins a running workflow; a finished one is run again, which finds the mint's
    // stored transaction (sender key treasury-op:<id>) instead of signing another.
    const result = await client.workflow.execute('treasuryOperationWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId: workflowIds.treasuryOperation(id),
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [{ operationId: id }],
    });
    const op = await prisma.treasuryOperation.findUniqueOrThrow({ where: { id } });
    process.stdout.write(`${JSON.stringify({ ...result, id, txHash: op.txHash, blockNumber: op.blockNumber?.toString() })}\n`);
  } finally {
    await connection.close();
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exitCode = 1;
});
