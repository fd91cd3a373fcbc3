import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE } from '../workers/worker';

/** Prebuilt workflow bundle for production workers (`npm run build`). */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  fs.mkdirSync(path.dirname(WORKFLOW_BUNDLE), { recursive: true });
  fs.writeFileSync(WORKFLOW_BUNDLE, code);
  process.stdout.write(`wrote ${path.relative(process.cwd(), WORKFLOW_BUNDLE)} (${code.length} bytes)\n`);
}

void main();
