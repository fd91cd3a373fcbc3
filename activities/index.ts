import { beneficiaryActivities } from './beneficiary';
import { importActivities } from './import';
import type { ActivityDeps } from './deps';
import { txActivities } from './chain/tx-activities';
import { createTxSender } from './chain/tx-sender';
import { batchActivities } from './payouts/batches';
import { chunkActivities } from './payouts/chunks';
import { singlePayoutActivities } from './payouts/single';
import { walletActivities, walletFactoryAccess } from './wallet';

export type { ActivityDeps } from './deps';

/** Builds every activity from its dependencies; workflows only proxy the returned type. */
export function createActivities(deps: ActivityDeps) {
  const sender = createTxSender(deps);
  const wallets = walletFactoryAccess(deps);
  return {
    ...beneficiaryActivities(deps),
    ...walletActivities(deps, sender, wallets),
    ...importActivities(deps, sender, wallets),
    ...txActivities(sender, deps.logger, deps.config),
    ...singlePayoutActivities(deps, sender),
    ...chunkActivities(deps, sender),
    ...batchActivities(deps, sender),
  };
}

export type Activities = ReturnType<typeof createActivities>;
