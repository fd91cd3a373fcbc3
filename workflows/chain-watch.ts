import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { chainWaitOptions } from './activity-options';
import { adminActivities } from './admin-activities';

const hot = proxyActivities<Activities>(chainWaitOptions);
const ROUNDS_PER_RUN = 200;

/**
 * The watch of one key (the hot key, or with `admin` the admin key on the admin task queue):
 * every few seconds it heals what a reorg took off the chain and unblocks the key's nonces.
 * One per task queue and key; it runs for the life of the deployment, continuing as new.
 */
export async function chainWatchWorkflow(input: { admin?: boolean; everyMs?: number } = {}): Promise<void> {
  const watch = input.admin ? adminActivities().act.watchSigner : hot.watchSigner;
  for (let i = 0; i < ROUNDS_PER_RUN; i++) {
    await watch();
    await sleep(input.everyMs ?? 5000);
  }
  await continueAsNew<typeof chainWatchWorkflow>(input);
}
