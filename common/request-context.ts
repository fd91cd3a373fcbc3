import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/**
 * What the current API request or activity execution is about. The API sets it around each
 * route handler; the worker's activity interceptor sets it around each activity, with a logger
 * whose lines carry the request id.
 */
export interface RequestContext {
  requestId: string | undefined;
  logger?: Logger;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;
