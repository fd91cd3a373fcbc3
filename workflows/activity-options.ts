import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Transient failures (database or RPC down) retry with backoff and no attempt limit: a payout
 * must never be abandoned half way. Business failures are thrown non-retryable by activities.
 */
export const defaultActivityOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

export const chainWaitOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
