import { beneficiaryActivities } from './beneficiary';
import type { ActivityDeps } from './deps';
import { distributionActivities } from './distribution';
import { walletActivities } from './wallet';

export type { ActivityDeps } from './deps';

/** Builds every activity from its dependencies; workflows only proxy the returned type. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...beneficiaryActivities(deps),
    ...walletActivities(deps),
    ...distributionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
