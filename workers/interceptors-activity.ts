import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from 'pino';
import { requestContext } from '../common/request-context';
import { requestIdFromHeaders } from '../common/request-context-header';

/**
 * Reads the request id the workflow passed in the activity's headers and runs the activity
 * with a pino child logger carrying it (and the workflow id), so every line an activity logs
 * can be found from the API request that caused it. The SDK's own activity log lines get it too.
 */
export function activityInterceptors(logger: Logger): ActivityInterceptorsFactory {
  return (ctx) => {
    let requestId: string | undefined;
    return {
      inbound: {
        async execute(input, next) {
          requestId = requestIdFromHeaders(input.headers);
          const { workflowExecution, activityType, attempt } = ctx.info;
          const child = logger.child({ requestId, workflowId: workflowExecution?.workflowId, activity: activityType, attempt });
          const started = performance.now();
          return requestContext.run({ requestId, logger: child }, async () => {
            try {
              const result = await next(input);
              child.debug({ ms: Math.round(performance.now() - started) }, 'activity completed');
              return result;
            } catch (err) {
              // Debug only: the SDK logs failed attempts at warn level itself.
              child.debug({ ms: Math.round(performance.now() - started), err: (err as Error).message }, 'activity failed');
              throw err;
            }
          });
        },
      },
      outbound: {
        getLogAttributes(input, next) {
          return next(requestId ? { ...input, requestId } : input);
        },
      },
    };
  };
}

/**
 * The logger handed to the activity factory: inside an activity it logs through that
 * activity's child logger (with requestId), elsewhere through `base`.
 */
export function contextualLogger(base: Logger): Logger {
  return new Proxy(base, {
    get(target, prop) {
      const current = requestContext.getStore()?.logger ?? target;
      const value: unknown = Reflect.get(current, prop, current);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
