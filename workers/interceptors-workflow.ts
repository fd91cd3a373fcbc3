import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { requestIdFromHeaders, withRequestId } from '../common/request-context-header';

/**
 * Runs inside the workflow sandbox (bundled through `workflowModules`): keeps the request id
 * the workflow was started with, passes it on to every activity, local activity, child
 * workflow and continue-as-new, and adds it to the workflow's log lines.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  // One factory call per workflow execution: this is per-workflow state.
  let requestId: string | undefined;
  return {
    inbound: [
      {
        async execute(input, next) {
          requestId = requestIdFromHeaders(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        async scheduleActivity(input, next) {
          return next({ ...input, headers: withRequestId(input.headers, requestId) });
        },
        async scheduleLocalActivity(input, next) {
          return next({ ...input, headers: withRequestId(input.headers, requestId) });
        },
        async startChildWorkflowExecution(input, next) {
          return next({ ...input, headers: withRequestId(input.headers, requestId) });
        },
        async continueAsNew(input, next) {
          return next({ ...input, headers: withRequestId(input.headers, requestId) });
        },
        getLogAttributes(input, next) {
          return next(requestId ? { ...input, requestId } : input);
        },
      },
    ],
  };
};
