import { defineQuery, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DistributionInput } from '../activities/distribution';
import { searchAttributeKeys } from '../common/search-attributes';
import { chainWaitOptions, defaultActivityOptions } from './activity-options';
import { failureReason } from './saga';

export type { DistributionInput };

export interface DistributionResult {
  distributionId: string;
  txHash: string;
  blockNumber: number;
}

export type DistributionStep = 'recording' | 'submitting' | 'confirming' | 'confirmed' | 'failed';
export const distributionStepQuery = defineQuery<DistributionStep>('distributionStep');

const act = proxyActivities<Activities>(defaultActivityOptions);
const wait = proxyActivities<Activities>(chainWaitOptions);

/** Seed flow: record → release from the treasury → wait for the receipt → record tx hash and block. */
export async function distributeTokensWorkflow(input: DistributionInput): Promise<DistributionResult> {
  const { distributionId } = input;
  let step: DistributionStep = 'recording';
  setHandler(distributionStepQuery, () => step);
  try {
    const { to } = await act.recordDistribution(input);
    step = 'submitting';
    const { txHash } = await act.submitRelease({ distributionId, to, amount: input.amount });
    setStatus('SUBMITTED');
    step = 'confirming';
    const confirmed = await wait.awaitConfirmation({ distributionId, txHash });
    await act.markDistributionConfirmed({ distributionId, ...confirmed });
    step = 'confirmed';
    setStatus('CONFIRMED');
    return { distributionId, ...confirmed };
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
