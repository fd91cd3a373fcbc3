import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../common/data-converter';
import { WORKFLOW_INTERCEPTOR_MODULES } from './worker';

/** The workflow bundle a worker loads with `workflowBundle`: workflows, interceptors, failure converter. */
export async function buildWorkflowBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    // Must match the worker's data converter (common/data-converter.ts).
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  return code;
}
