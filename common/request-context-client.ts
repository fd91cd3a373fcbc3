import type { WorkflowClientInterceptor } from '@temporalio/client';
import { currentRequestId } from './request-context';
import { withRequestId } from './request-context-header';

/**
 * Adds the current request id (common/request-context.ts) as a header to every workflow the
 * client starts, so the worker's log lines for that workflow carry it (workers/interceptors-*.ts).
 */
export function requestIdClientInterceptor(): WorkflowClientInterceptor {
  return {
    async startWithDetails(input, next) {
      return next({ ...input, headers: withRequestId(input.headers, currentRequestId()) });
    },
    async signalWithStart(input, next) {
      return next({ ...input, headers: withRequestId(input.headers, currentRequestId()) });
    },
  };
}
