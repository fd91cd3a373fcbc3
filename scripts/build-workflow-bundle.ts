import fs from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '../workers/bundle';
import { WORKFLOW_BUNDLE } from '../workers/worker';

/** Prebuilt workflow bundle for production workers (`npm run build`). */
async function main(): Promise<void> {
  const code = await buildWorkflowBundle();
  fs.mkdirSync(path.dirname(WORKFLOW_BUNDLE), { recursive: true });
  fs.writeFileSync(WORKFLOW_BUNDLE, code);
  process.stdout.write(`wrote ${path.relative(process.cwd(), WORKFLOW_BUNDLE)} (${code.length} bytes)\n`);
}

void main();
