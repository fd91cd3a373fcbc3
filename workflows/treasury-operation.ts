import { defineQuery, setHandler } from '@temporalio/workflow';
import { adminActivities } from './admin-activities';
import { failureReason } from './saga';
import { sendTx } from './send-tx';

export const treasuryOperationStatusQuery = defineQuery<string>('treasuryOperationStatus');

/**
 * An admin action on the treasury (a project's budget, minting, pause): signed by the admin
 * key on the admin task queue, recorded from what the chain applied.
 */
export async function treasuryOperationWorkflow({ operationId }: { operationId: string }): Promise<{ status: string }> {
  const admin = adminActivities();
  let status = 'PENDING';
  setHandler(treasuryOperationStatusQuery, () => status);
  try {
    const outcome = await sendTx(() => admin.act.prepareTreasuryOperation({ operationId }), {}, admin.steps);
    if (outcome.kind === 'none') throw new Error('unreachable: a treasury operation always prepares a transaction');
    const result = await admin.act.recordTreasuryOperation({ operationId, outcome });
    status = result.status;
    return result;
  } catch (err) {
    status = 'FAILED';
    await admin.act.markTreasuryOperationFailed({ operationId, reason: failureReason(err) });
    throw err;
  }
}
