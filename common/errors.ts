/**
 * Failure types, shared by activities (which throw `ApplicationFailure.nonRetryable(msg, type)`),
 * workflows (which decide on compensation by type) and the API (which maps them to problem+json).
 * Compare by these strings, never by class names.
 */
export const ErrorType = {
  ProjectNotFound: 'ProjectNotFound',
  BeneficiaryNotFound: 'BeneficiaryNotFound',
  BeneficiaryNotActive: 'BeneficiaryNotActive',
  DuplicateBeneficiary: 'DuplicateBeneficiary',
  InvalidAddress: 'InvalidAddress',
  InsufficientFunds: 'InsufficientFunds',
  AlreadyPaid: 'AlreadyPaid',
  TransactionReverted: 'TransactionReverted',
  ContractsNotDeployed: 'ContractsNotDeployed',
  /** A payout id already used by another payout (a batch's, or one with other parameters). */
  PayoutIdConflict: 'PayoutIdConflict',
  /** The work was settled meanwhile (cancelled before sending, paid, failed): nothing more is signed. */
  AlreadySettled: 'AlreadySettled',
  /** The project's on-chain allowance (its budget) is smaller than the payout. */
  BudgetExceeded: 'BudgetExceeded',
  /** The treasury is paused on chain: the hot key can move nothing. */
  TreasuryPaused: 'TreasuryPaused',
  /** The node refused the transaction for good (e.g. more gas than a block holds). */
  TransactionRefused: 'TransactionRefused',
  /** A bulk import's source is unusable: partner feed refused, too many rows. */
  ImportRejected: 'ImportRejected',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/**
 * Retryable failure types: Temporal retries them, after the delay the failure names
 * (`nextRetryDelay`) rather than its policy's backoff.
 */
export const RetryableType = {
  /** An outside service's circuit breaker is open (common/http): wait until it lets a probe through. */
  ServiceUnavailable: 'ServiceUnavailable',
} as const;

/** Retry policy for non-business failures: the workflow rethrows only the listed types at once. */
export const NON_RETRYABLE: ErrorType[] = Object.values(ErrorType);
