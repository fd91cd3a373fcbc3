import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface AnvilLogger {
  info(obj: object, msg: string): void;
}

export interface StartAnvilOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Seconds between blocks; omitted = automine on every transaction. */
  blockTime?: number;
  /** Load from and dump to this file so a restarted dev stack keeps its chain. */
  stateFile?: string;
  /** How long to wait for eth_chainId to answer. */
  readyTimeoutMs?: number;
  logger?: AnvilLogger;
}

export interface AnvilHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const STDERR_TAIL = 8_192;
const STOP_GRACE_MS = 5_000;

/** Spawns a local anvil node and resolves once it answers JSON-RPC. */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<AnvilHandle> {
  // A picked port can be stolen before anvil binds it; retry only when we chose it.
  const attempts = opts.port ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await pickFreePort());
    try {
      return await launch(port, opts);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof AnvilExitedError)) throw err;
    }
  }
}

class AnvilExitedError extends Error {}

async function launch(port: number, opts: StartAnvilOptions): Promise<AnvilHandle> {
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent'];
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  if (opts.stateFile) args.push('--state', path.resolve(opts.stateFile));

  const child = spawn(resolveAnvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
  while (!(await answersChainId(url))) {
    if (spawnError) throw new Error(`Failed to spawn anvil: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new AnvilExitedError(`anvil exited (${child.exitCode ?? child.signalCode}) before ready on ${url}. stderr:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      await terminate(child, exited);
      throw new Error(`anvil did not answer eth_chainId on ${url} within ${opts.readyTimeoutMs ?? 15_000}ms. stderr:\n${stderr}`);
    }
    await sleep(100);
  }

  opts.logger?.info({ url, pid: child.pid, stateFile: opts.stateFile }, 'anvil started');
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () => (stopping ??= terminate(child, exited).then(() => opts.logger?.info({ url }, 'anvil stopped'))),
  };
}

/** SIGTERM lets anvil dump --state; SIGKILL only if it hangs. Resolves after exit. */
async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Prefers the platform binary that node_modules/.bin/anvil wraps: the wrapper
 * does not forward SIGKILL and exits before anvil finishes dumping state.
 */
function resolveAnvilBinary(): string {
  const root = findProjectRoot();
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const native = path.join(root, 'node_modules', '@foundry-rs', `anvil-${process.platform}-${arch}`, 'bin', exe);
  if (existsSync(native)) return native;
  return path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'anvil.cmd' : 'anvil');
}

// Walk up from this file (not cwd) to the directory whose node_modules holds anvil.
function findProjectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', '@foundry-rs', 'anvil'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`@foundry-rs/anvil not found in any node_modules above ${__dirname}; run npm install`);
    }
  }
}

async function answersChainId(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    const body = (await res.json()) as { result?: unknown };
    return typeof body.result === 'string';
  } catch {
    return false;
  }
}

function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
