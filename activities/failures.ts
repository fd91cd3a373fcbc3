import { ApplicationFailure } from '@temporalio/common';
import { RetryableType, type ErrorType } from '../common/errors';
import type { BreakerOpenError } from '../common/http/errors';

/** A business failure: Temporal will not retry it and the workflow compensates. */
export function permanent(type: ErrorType, message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, cause: cause instanceof Error ? cause : undefined });
}

/**
 * An outside service's breaker is open: a retryable failure that tells Temporal to wait until
 * the breaker lets a probe through, instead of retrying on its own (short) backoff.
 */
export function waitForService(err: BreakerOpenError): ApplicationFailure {
  return ApplicationFailure.create({
    type: RetryableType.ServiceUnavailable,
    message: err.message,
    nonRetryable: false,
    nextRetryDelay: err.retryAfterMs,
    cause: err,
  });
}
