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
  /** A bulk import's source is unusable: partner feed refused, too many rows. */
  ImportRejected: 'ImportRejected',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Retry policy for non-business failures: the workflow rethrows only the listed types at once. */
export const NON_RETRYABLE: ErrorType[] = Object.values(ErrorType);
