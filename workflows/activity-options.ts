import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Transient failures (database or RPC down) retry with backoff and no attempt limit: a payout
 * must never be abandoned half way. Business failures are thrown non-retryable by activities.
 */
export const defaultActivityOptions: ActivityOptions = {
  // Short, so the work of a worker that died mid-activity is retried elsewhere quickly.
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/**
 * Steps that sign, send or judge transactions: they may wait on the chain and the database's
 * row locks, so they get longer and heartbeat. A retry that starts while an attempt still runs
 * is safe (the sender locks its rows), only slower.
 */
export const chainStepOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: defaultActivityOptions.retry,
};

export const chainWaitOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/** Set-based planning of a whole batch round (up to hundreds of thousands of rows). */
export const planningOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  retry: defaultActivityOptions.retry,
};
