import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import type { Config } from '../common/config';
import { createVault } from '../common/crypto/vault';
import { createDataConverter } from '../common/data-converter';
import { createFaults, parseFaultPlan } from '../common/faults';
import { checkBlockCapacity } from './chain-capacity';
import { ensureChainWatch } from './chain-watch';
import { ensureOrphanSweep } from './orphan-sweep';
import { ensureRetentionSchedule } from './retention';
import { ensureEventRelay, openEventRelay } from './events';
import { activityInterceptors, contextualLogger } from './interceptors-activity';
import { recordChainCallLatency, recordOutboundMetrics } from './metrics';
import { checkPartnerAddresses, openOutbound } from './outbound';
import { openResources } from './resources';

// Source runs from workers/, the compiled worker from dist/workers/: both find dist/ at the root.
const ROOT = path.resolve(__dirname, path.basename(path.resolve(__dirname, '..')) === 'dist' ? '../..' : '..');
export const WORKFLOW_BUNDLE = path.join(ROOT, 'dist', 'workflow-bundle.js');
/** Carry the request id through workflows (bundled into the workflow code). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('./interceptors-workflow')];

export interface RunningWorker {
  /** Resolves when the worker has stopped (after shutdown() or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Production runs the prebuilt bundle (`npm run build`); development bundles on start. */
function workflowSource(config: Config): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  if (config.workflowBundlePath) return { workflowBundle: { codePath: config.workflowBundlePath } };
  if (config.env === 'production' && fs.existsSync(WORKFLOW_BUNDLE)) return { workflowBundle: { codePath: WORKFLOW_BUNDLE } };
  return { workflowsPath: require.resolve('../workflows') };
}

export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  await checkPartnerAddresses(config);
  const resources = await openResources(config);
  try {
    await checkBlockCapacity(resources.chain.provider, config.distribution.chunkSize);
  } catch (err) {
    await resources.close();
    throw err;
  }
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Activity log lines go through a child carrying the request id (workers/interceptors-activity.ts).
  const activityLogger = logger.child({ component: 'activity' });
  const outbound = openOutbound(config);
  const events = openEventRelay(config, resources.prisma, contextualLogger(activityLogger), outbound.clients);
  outbound.publish(events.redis);
  const stopChainMetrics = recordChainCallLatency(Runtime.instance().metricMeter);
  recordOutboundMetrics(Runtime.instance().metricMeter, outbound.clients);
  const activities = createActivities({
    prisma: resources.prisma,
    chain: resources.chain,
    logger: contextualLogger(activityLogger),
    faults: createFaults(config.faultInjection ? parseFaultPlan(config.faultInjection) : {}),
    vault: createVault(config.pii),
    outbound: outbound.clients,
    workflowStarts: {
      client: new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.pii) }).workflow,
      taskQueue: config.temporal.taskQueue,
      batchConcurrency: config.distribution.concurrency,
    },
    config: {
      walletMasterSecret: config.walletMasterSecret,
      idDerivationKey: config.idDerivationKey,
      confirmations: config.chain.confirmations,
      stuckAfterMs: config.distribution.stuckAfterMs,
      maxFeePerGas: config.chain.maxFeePerGas,
      partners: config.imports.partners,
      retention: config.retention,
    },
  });
  const source = workflowSource(config);
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: { ...activities, ...events.activities },
      ...source,
      // Chunk workflows finish in seconds; caching hundreds of them only costs memory, and one
      // workflow thread (one V8 isolate) keeps up with the activities on a small machine.
      maxCachedWorkflows: 64,
      workflowThreadPoolSize: 1,
      // Payloads and failure messages encrypted (common/data-converter.ts); clients use the same.
      dataConverter: createDataConverter(config.pii),
      interceptors: {
        activity: [activityInterceptors(activityLogger)],
        // A prebuilt bundle has them baked in (scripts/build-workflow-bundle.ts).
        workflowModules: source.workflowsPath ? WORKFLOW_INTERCEPTOR_MODULES : undefined,
      },
    });
    await ensureEventRelay(connection, config, logger);
    await ensureChainWatch(connection, config, logger);
    await ensureOrphanSweep(connection, config, logger);
    await ensureRetentionSchedule(connection, config, logger);
  } catch (err) {
    // Redis reconnects forever: without this a failed boot would never exit.
    stopChainMetrics();
    await outbound.close();
    await events.close();
    await connection.close();
    await resources.close();
    throw err;
  }
  logger.info({ taskQueue: config.temporal.taskQueue, signer: resources.chain.signerAddress }, 'worker started');
  const done = worker.run().finally(async () => {
    await connection.close();
    stopChainMetrics();
    await outbound.close();
    await events.close();
    await resources.close();
    logger.info('worker stopped');
  });
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
