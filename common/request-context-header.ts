import { defaultPayloadConverter, type Payload } from '@temporalio/common';

/**
 * The Temporal header that carries the API's request id from the workflow start into the
 * workflow, its activities, child workflows and continue-as-new runs. Pure: workflows import it.
 */
export const REQUEST_ID_HEADER = 'rahat-request-id';

type Headers = Record<string, Payload>;

export function requestIdFromHeaders(headers: Headers | undefined): string | undefined {
  const payload = headers?.[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

/** The headers with the request id added; unchanged when there is none or one is already set. */
export function withRequestId(headers: Headers, requestId: string | undefined): Headers {
  if (!requestId || headers[REQUEST_ID_HEADER]) return headers;
  return { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}
