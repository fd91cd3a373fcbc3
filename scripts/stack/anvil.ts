import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { finishState, prepareState, setAsideName, stateFiles, type StateFiles, type StateLogger } from './anvil-state';

export type AnvilLogger = StateLogger;

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
  /** Keep the chain in this file across restarts. anvil itself only writes `<file>.tmp` (anvil-state.ts). */
  stateFile?: string;
  /** With stateFile: anvil also dumps every this many seconds, so a kill -9 loses about that much. */
  stateIntervalSeconds?: number;
  /** How long to wait for eth_chainId to answer (default 15 s; 120 s when a state file is loaded). */
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
/** Without a state file there is nothing to lose, and a hung anvil is killed after this. */
const STOP_GRACE_MS = 5_000;
/** With one, the dump is waited for (a 200 MB state: 2-3 s here) up to this ceiling. */
const STOP_CEILING_MS = 10 * 60_000;
const PROGRESS_EVERY_MS = 5_000;

/** Spawns a local anvil node and resolves once it answers JSON-RPC. */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<AnvilHandle> {
  const files = opts.stateFile ? stateFiles(opts.stateFile) : undefined;
  const loadFrom = files && (await prepareState(files, opts.logger));
  // A port we picked can be taken before anvil binds it, so retry that case only.
  for (let attempt = 1; ; attempt++) {
    // A fixed port is probed first: a node already there would pass our readiness check.
    const port = await bindAndRelease(opts.port ?? 0);
    try {
      return await launch(port, opts, files, loadFrom);
    } catch (err) {
      const portRace = !opts.port && attempt < 3 && /address already in use/i.test(String(err));
      if (!portRace) throw err;
    }
  }
}

async function launch(port: number, opts: StartAnvilOptions, files?: StateFiles, loadFrom?: string): Promise<AnvilHandle> {
  // Automine puts every pending transaction that fits into the next block; with mainnet's 30M
  // gas a burst of large disbursement transactions would leave some waiting for the next
  // arrival. A roomier block keeps a local chain from stalling on bursts.
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent', '--gas-limit', String(opts.gasLimit ?? 1_000_000_000)];
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  if (opts.noMining) args.push('--no-mining');
  if (opts.chainId !== undefined) args.push('--chain-id', String(opts.chainId));
  if (loadFrom) args.push('--load-state', loadFrom);
  if (files) args.push('--dump-state', files.tmp);
  if (files && opts.stateIntervalSeconds) args.push('--state-interval', String(opts.stateIntervalSeconds));

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
  // If the caller dies without stop() (e.g. an unhandled rejection), don't leave anvil orphaned.
  // This may cut a dump short, which costs only the tmp file.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (watch: boolean) => {
    await terminate(child, exited, watch ? files : undefined, opts.logger);
    process.off('exit', killOnExit);
  };

  const url = `http://127.0.0.1:${port}`;
  const readyMs = opts.readyTimeoutMs ?? (loadFrom ? 120_000 : 15_000);
  const deadline = Date.now() + readyMs;
  try {
    while (!(await answersChainId(url))) {
      if (spawnError) throw new Error(`Failed to spawn anvil: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`anvil exited (${child.exitCode ?? child.signalCode}) before ready on ${url}. stderr:\n${stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`anvil did not answer eth_chainId on ${url} within ${readyMs}ms. stderr:\n${stderr}`);
      await sleep(100);
    }
    if (child.exitCode !== null) throw new Error(`anvil exited while another node answered on ${url}. stderr:\n${stderr}`);
  } catch (err) {
    await stop(false);
    // Whatever an anvil that never came up dumped may be a half-loaded chain: never promote it.
    if (files && existsSync(files.tmp)) await rename(files.tmp, setAsideName(files, 'tmp', new Date()));
    throw err;
  }

  opts.logger?.info({ url, pid: child.pid, stateFile: files?.state }, `anvil started on ${url}`);
  let stopping: Promise<void> | undefined;
  const stopAndSave = async () => {
    await stop(true);
    if (files) await finishState(files, opts.logger);
    opts.logger?.info({ url }, 'anvil stopped');
  };
  return { url, port, pid: child.pid!, stop: () => (stopping ??= stopAndSave()) };
}

/**
 * SIGTERM, then wait for the exit. Dumping a big state takes a while, so with a state file
 * (`files`) the wait is logged and only a hang past STOP_CEILING_MS is killed; anvil never
 * writes the state file itself, so that costs at most this run's chain, never the last good one.
 */
async function terminate(child: ChildProcess, exited: Promise<void>, files?: StateFiles, logger?: AnvilLogger): Promise<void> {
  if (child.pid === undefined) return; // never spawned: no 'exit' will come
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const since = Date.now();
  const tmpSize = () => (files && existsSync(files.tmp) ? `${(statSync(files.tmp).size / 1e6).toFixed(1)} MB` : 'not there yet');
  const progress = files
    ? setInterval(() => {
        const s = Math.round((Date.now() - since) / 1000);
        logger?.info({ tmp: files.tmp, seconds: s }, `waiting for anvil to write its state (${path.basename(files.tmp)}: ${tmpSize()}, ${s} s)`);
      }, PROGRESS_EVERY_MS)
    : undefined;
  const killer = setTimeout(() => {
    if (files) {
      logger?.warn(
        { tmp: files.tmp },
        `anvil still running ${STOP_CEILING_MS / 60_000} min after SIGTERM; killing it. Its dump is checked as ` +
          `usual; if it is torn, ${path.basename(files.state)} keeps the last good state`,
      );
    }
    child.kill('SIGKILL');
  }, files ? STOP_CEILING_MS : STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearInterval(progress);
    clearTimeout(killer);
  }
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
