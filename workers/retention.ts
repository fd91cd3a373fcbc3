import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Config } from '../common/config';
import { createDataConverter } from '../common/data-converter';

/**
 * The schedule that deletes what the retention settings no longer keep (workflows/retention.ts):
 * one per task queue, hourly, never two runs at once. Visible and pausable in the Web UI's
 * Schedules. The settings are the worker's (RETENTION_*), read by the activity at each run.
 */
export async function ensureRetentionSchedule(connection: NativeConnection, config: Config, logger: Logger): Promise<void> {
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.pii) });
  const scheduleId = `retention-${config.temporal.taskQueue}`;
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'retentionWorkflow', taskQueue: config.temporal.taskQueue, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    logger.info({ scheduleId }, 'retention scheduled');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
