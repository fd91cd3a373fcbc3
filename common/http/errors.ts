import type { AddressKind } from './ip-ranges';

/**
 * The errors of the outside-service client (service-client.ts). Callers tell them apart by
 * `code`, never by class name (STYLE.md): activities turn `ECIRCUITOPEN` into a retryable
 * failure that Temporal waits out (activities/failures.ts), and the others into their own.
 */

/** The service's breaker is open: nothing was sent. Try again after `retryAfterMs`. */
export class BreakerOpenError extends Error {
  readonly code = 'ECIRCUITOPEN';
  constructor(
    readonly service: string,
    readonly retryAfterMs: number,
  ) {
    super(`${service} is failing: its circuit breaker is open, next try in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'BreakerOpenError';
  }
}

/** The host is or resolves to an address the outbound policy refuses: no connection was made. */
export class AddressRefusedError extends Error {
  readonly code = 'EADDRREFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: AddressKind,
  ) {
    super(host === address ? `${address} is a ${kind} address` : `${host} resolves to ${address}, a ${kind} address`);
    this.name = 'AddressRefusedError';
  }
}

/** No usable answer: connection refused or reset, timeout, a body too large. `code` says which. */
export class ServiceCallError extends Error {
  constructor(
    readonly service: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceCallError';
  }
}

export const isBreakerOpen = (err: unknown): err is BreakerOpenError => (err as { code?: unknown } | null)?.code === 'ECIRCUITOPEN';
export const isAddressRefused = (err: unknown): err is AddressRefusedError => (err as { code?: unknown } | null)?.code === 'EADDRREFUSED';
