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
  /** Mine only when told (evm_mine): a chain that stalls, for fault tests. */
  noMining?: boolean;
  /** Default 31337. Tests give a chain of their own its own id, so its nonces and records stay apart. */
  chainId?: number;
  /** Block gas limit (default 1e9, see below). */
  gasLimit?: number;
  /** Load from and dump to this file so a restarted dev stack keeps its chain. */
  stateFile?: string;
  /** How long to wait for eth_chainId to answer. */
  readyTimeoutMs?: number;
  logger?: AnvilLogger;
}

export interface AnvilHandle {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const STDERR_TAIL = 8_192;
const STOP_GRACE_MS = 5_000;

/** Spawns a local anvil node and resolves once it answers JSON-RPC. */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<AnvilHandle> {
  // A port we picked can be taken before anvil binds it, so retry that case only.
  for (let attempt = 1; ; attempt++) {
    // A fixed port is probed first: a node already there would pass our readiness check.
    const port = await bindAndRelease(opts.port ?? 0);
    try {
      return await launch(port, opts);
    } catch (err) {
      const portRace = !opts.port && attempt < 3 && /address already in use/i.test(String(err));
      if (!portRace) throw err;
    }
  }
}

async function launch(port: number, opts: StartAnvilOptions): Promise<AnvilHandle> {
  // Automine puts every pending transaction that fits into the next block; with mainnet's 30M
  // gas a burst of large disbursement transactions would leave some waiting for the next
  // arrival. A roomier block keeps a local chain from stalling on bursts.
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent', '--gas-limit', String(opts.gasLimit ?? 1_000_000_000)];
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  if (opts.noMining) args.push('--no-mining');
  if (opts.chainId !== undefined) args.push('--chain-id', String(opts.chainId));
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
      throw new Error(`anvil exited (${child.exitCode ?? child.signalCode}) before ready on ${url}. stderr:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      await terminate(child, exited);
      throw new Error(`anvil did not answer eth_chainId on ${url} within ${opts.readyTimeoutMs ?? 15_000}ms. stderr:\n${stderr}`);
    }
    await sleep(100);
  }
  if (child.exitCode !== null) throw new Error(`anvil exited while another node answered on ${url}. stderr:\n${stderr}`);

  // If the caller dies without stop() (e.g. an unhandled rejection), don't leave anvil orphaned.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  opts.logger?.info({ url, pid: child.pid, stateFile: opts.stateFile }, 'anvil started');
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    await terminate(child, exited);
    process.off('exit', killOnExit);
    opts.logger?.info({ url }, 'anvil stopped');
  };
  return { url, port, pid: child.pid!, stop: () => (stopping ??= stop()) };
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

/** Binds and releases `port` (0 = any free port) on 127.0.0.1, returning the port bound. */
function bindAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err) => reject(new Error(`Cannot start anvil: 127.0.0.1:${port} is unavailable (${err.message})`)));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
