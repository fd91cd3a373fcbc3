import { ErrorType } from '../../common/errors';
import type { Chain } from '../chain/client';
import { permanent } from '../failures';
import { projectKey } from './refs';

/**
 * Refuses, before anything is signed, a release the treasury would revert: paused, over the
 * project's allowance (its budget, set by an admin), or more than the treasury holds. Each is a
 * business failure with the reason and what to do, not a transaction to retry.
 */
export async function spendable(chain: Chain, projectId: string, amount: bigint): Promise<void> {
  if (await chain.treasury.getFunction('paused')()) {
    throw permanent(ErrorType.TreasuryPaused, 'the treasury is paused on chain; an admin resumes it with POST /v1/treasury/unpause');
  }
  const allowance = BigInt(await chain.treasury.getFunction('allowance')(projectKey(projectId)));
  if (allowance < amount) {
    throw permanent(
      ErrorType.BudgetExceeded,
      `project ${projectId} may spend ${allowance} more but ${amount} is needed; an admin raises its budget with POST /v1/projects/${projectId}/budget`,
    );
  }
  const held = BigInt(await chain.token.getFunction('balanceOf')(chain.addresses.treasury));
  if (held < amount) throw permanent(ErrorType.InsufficientFunds, `the treasury holds ${held} but ${amount} is needed`);
}
