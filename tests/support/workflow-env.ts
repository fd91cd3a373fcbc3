import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type ActivityDeps, type Activities } from '../../activities';
import { loadConfig } from '../../common/config';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../common/data-converter';

/** Typed `jest.fn` mocks of every activity, so a workflow test can stub and inspect each call. */
export type ActivityMocks = { [K in keyof Activities]: jest.Mock<ReturnType<Activities[K]>, Parameters<Activities[K]>> };

export interface WorkflowEnv {
  client: Client;
  /** A fresh worker on its own task queue, running these activities while `fn` runs. */
  withWorker<R>(activities: ActivityMocks, fn: (taskQueue: string) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

/** The SDK's runtime installs once per module registry; warnings only, and only when asked for. */
function quietRuntime(): void {
  const level = process.env.LOG_LEVEL && process.env.LOG_LEVEL !== 'silent' ? 'WARN' : 'ERROR';
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed in this module registry.
  }
}

/**
 * Workflow tests against the Temporal dev server of the system global setup. Bundle once per
 * suite (`workflowsPath` is `require.resolve('./index')` from the workflows folder).
 */
export async function createWorkflowEnv(workflowsPath: string): Promise<WorkflowEnv> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run workflow tests in the jest "system" project');
  quietRuntime();
  // The app's data converter on both sides, as in production: payloads encrypted.
  const dataConverter = createDataConverter(loadConfig().pii);
  const workflowBundle: WorkflowBundleWithSourceMap = await bundleWorkflowCode({
    workflowsPath,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter });
  return {
    client,
    async withWorker(activities, fn) {
      const taskQueue = `wf-test-${randomUUID()}`;
      const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities, dataConverter });
      return worker.runUntil(fn(taskQueue));
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/**
 * A mock for every activity; each rejects non-retryably until stubbed, so a forgotten stub fails
 * the workflow at once instead of retrying forever.
 */
export function mockActivities(): ActivityMocks {
  // Only the names are needed; factories may read a field of their deps when built.
  const names = Object.keys(createActivities({ chain: {}, config: {} } as unknown as ActivityDeps)) as (keyof Activities)[];
  return Object.fromEntries(
    names.map((name) => [
      name,
      jest.fn(async () => Promise.reject(ApplicationFailure.nonRetryable(`activity ${name} is not stubbed`, 'NotStubbed'))),
    ]),
  ) as unknown as ActivityMocks;
}
