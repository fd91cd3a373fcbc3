import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../common/config';
import { createDataConverter } from '../common/data-converter';

/**
 * The schedule that sweeps for work whose workflow never started (activities/orphans.ts):
 * one per task queue, every minute, never two sweeps at once. Visible and pausable in the
 * Web UI's Schedules.
 */
export async function ensureOrphanSweep(connection: NativeConnection, config: Config, logger: Logger): Promise<void> {
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.pii) });
  const scheduleId = `sweep-orphans-${config.temporal.taskQueue}`;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'orphanSweepWorkflow', taskQueue: config.temporal.taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    logger.info({ scheduleId }, 'orphan sweep scheduled');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
