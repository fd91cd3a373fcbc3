import { defineQuery, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Paid, SinglePayoutInput } from '../activities/payouts/single';
import { searchAttributeKeys } from '../common/search-attributes';
import { chainStepOptions, defaultActivityOptions } from './activity-options';
import { failureReason } from './saga';
import { sendTx } from './send-tx';

export type DistributionInput = SinglePayoutInput;

export interface DistributionResult extends Paid {
  distributionId: string;
}

export type DistributionStep = 'recording' | 'sending' | 'confirmed' | 'failed';
export const distributionStepQuery = defineQuery<DistributionStep>('distributionStep');

const act = proxyActivities<Activities>(defaultActivityOptions);
const chainAct = proxyActivities<Activities>(chainStepOptions);

/** Seed flow: record → treasury release (stored, broadcast, awaited) → record tx hash and block. */
export async function distributeTokensWorkflow(input: DistributionInput): Promise<DistributionResult> {
  const { distributionId } = input;
  let step: DistributionStep = 'recording';
  setHandler(distributionStepQuery, () => step);
  try {
    await act.recordDistribution(input);
    step = 'sending';
    const outcome = await sendTx(() => chainAct.prepareDistributionTx({ distributionId }), {
      afterBroadcast: async () => {
        await act.markDistributionSubmitted({ distributionId });
        setStatus('SUBMITTED');
      },
    });
    if (outcome.kind === 'none') throw new Error('unreachable: a single payout always prepares a transaction');
    const paid = await chainAct.settleDistribution({ distributionId, outcome });
    step = 'confirmed';
    setStatus('CONFIRMED');
    return { distributionId, ...paid };
  } catch (err) {
    step = 'failed';
    await act.markDistributionFailed({ distributionId, reason: failureReason(err) });
    setStatus('FAILED');
    throw err;
  }
}

function setStatus(value: 'SUBMITTED' | 'CONFIRMED' | 'FAILED'): void {
  upsertSearchAttributes([{ key: searchAttributeKeys.distributionStatus, value }]);
}
