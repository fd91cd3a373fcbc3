import { beneficiaryActivities } from './beneficiary';
import { chainWatchActivities } from './chain/chain-watch';
import { importActivities } from './import';
import { orphanActivities } from './orphans';
import { retentionActivities } from './retention';
import type { ActivityDeps } from './deps';
import { txActivities } from './chain/tx-activities';
import { createTxSender } from './chain/tx-sender';
import { batchActivities } from './payouts/batches';
import { chunkActivities } from './payouts/chunks';
import { singlePayoutActivities } from './payouts/single';
import { chainVerdicts } from './payouts/verdict';
import { walletActivities, walletFactoryAccess } from './wallet';

export type { ActivityDeps } from './deps';

/** Builds every activity of the payout worker (hot key) from its dependencies; workflows only proxy the returned type. */
export function createActivities(deps: ActivityDeps) {
  const sender = createTxSender({ ...deps, maxFeePerGas: deps.config.maxFeePerGas });
  const verdicts = chainVerdicts(deps.chain, deps.config.confirmations);
  const wallets = walletFactoryAccess(deps);
  return {
    ...beneficiaryActivities(deps),
    ...walletActivities(deps, sender, wallets),
    ...importActivities(deps, sender, wallets),
    ...txActivities(sender, deps.logger, deps.config),
    ...chainWatchActivities(deps, sender, deps.config),
    ...singlePayoutActivities(deps, sender, verdicts),
    ...chunkActivities(deps, sender, verdicts),
    ...batchActivities(deps, sender, verdicts),
    ...orphanActivities(deps, deps.workflowStarts),
    ...retentionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
