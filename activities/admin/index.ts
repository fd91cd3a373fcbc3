import { createTxSender } from '../chain/tx-sender';
import { txActivities } from '../chain/tx-activities';
import { chainWatchActivities } from '../chain/chain-watch';
import type { AdminDeps } from './deps';
import { disbursementActivities } from './disbursement';
import { treasuryOperationActivities } from './treasury-operations';

export type { AdminDeps } from './deps';

/**
 * The admin worker's activities: only they hold the admin key. The generic transaction steps
 * carry the same names as the payout worker's; the admin task queue routes them here.
 */
export function createAdminActivities(deps: AdminDeps) {
  const sender = createTxSender({ ...deps, maxFeePerGas: deps.config.maxFeePerGas });
  return {
    ...txActivities(sender, deps.logger, deps.config),
    ...chainWatchActivities(deps, sender, deps.config),
    ...disbursementActivities(deps, sender),
    ...treasuryOperationActivities(deps, sender),
  };
}

export type AdminActivities = ReturnType<typeof createAdminActivities>;
