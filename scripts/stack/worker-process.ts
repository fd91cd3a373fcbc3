import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { PROJECT_ROOT as ROOT } from './paths';

/**
 * Node flags of a worker process, as in `npm run start:worker`: a bounded old space makes V8
 * collect early instead of growing the heap toward its default ceiling.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256'];

/**
 * A worker as a real separate process (`workers/main.ts`, or the admin worker's
 * `workers/admin-main.ts`, through tsx's require hook), so a test can kill -9 it mid-batch and
 * start it again, and the admin key stays in a process of its own.
 */
export function spawnWorker(
  env: Record<string, string>,
  entry: 'workers/main.ts' | 'workers/admin-main.ts' = 'workers/main.ts',
): {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
  output(): string;
} {
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--require', 'tsx/cjs', path.join(ROOT, entry)], {
    cwd: ROOT,
    // The payout worker must not inherit the admin key (workers/main.ts refuses to start with it).
    env: { ...withoutAdminKey(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test or bench that dies must not leave its worker polling a server that is gone.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, output: () => out };
}

function withoutAdminKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ADMIN_PRIVATE_KEY: _admin, ...rest } = env;
  return rest;
}
