import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { PROJECT_ROOT as ROOT } from './paths';

/**
 * Node flags of a worker process, as in `npm run start:worker`: a bounded old space makes V8
 * collect early instead of growing the heap toward its default ceiling.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256'];

/**
 * The worker as a real separate process (`workers/main.ts` through tsx's require hook), so a
 * test can kill -9 it mid-batch and start it again.
 */
export function spawnWorker(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
  output(): string;
} {
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--require', 'tsx/cjs', path.join(ROOT, 'workers', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
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
