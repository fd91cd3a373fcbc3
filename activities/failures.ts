import { ApplicationFailure } from '@temporalio/common';
import type { ErrorType } from '../common/errors';

/** A business failure: Temporal will not retry it and the workflow compensates. */
export function permanent(type: ErrorType, message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, cause: cause instanceof Error ? cause : undefined });
}
