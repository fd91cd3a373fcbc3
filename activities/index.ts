import { beneficiaryActivities } from './beneficiary';
import type { ActivityDeps } from './deps';
import { txActivities } from './chain/tx-activities';
import { createTxSender } from './chain/tx-sender';
import { batchActivities } from './payouts/batches';
import { chunkActivities } from './payouts/chunks';
import { singlePayoutActivities } from './payouts/single';
import { walletActivities } from './wallet';

export type { ActivityDeps } from './deps';

/** Builds every activity from its dependencies; workflows only proxy the returned type. */
export function createActivities(deps: ActivityDeps) {
  const sender = createTxSender(deps);
  return {
    ...beneficiaryActivities(deps),
    ...walletActivities(deps),
    ...txActivities(sender, deps.config),
    ...singlePayoutActivities(deps, sender),
    ...chunkActivities(deps, sender),
    ...batchActivities(deps, sender),
  };
}

export type Activities = ReturnType<typeof createActivities>;
