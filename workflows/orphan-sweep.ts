import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { defaultActivityOptions } from './activity-options';

const act = proxyActivities<Activities>({ ...defaultActivityOptions, startToCloseTimeout: '1 minute' });

/** One sweep, run by the `sweep-orphans-<task queue>` schedule every minute (workers/orphan-sweep.ts). */
export async function orphanSweepWorkflow(): Promise<{ batches: number; imports: number }> {
  return act.startOrphanedWork();
}
