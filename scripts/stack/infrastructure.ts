import fs from 'node:fs';
import path from 'node:path';
import { startAnvil } from './anvil';
import { startEmbeddedPostgres } from './postgres';
import { createScratchDatabase } from './scratch-database';
import { startTemporal } from './temporal';

export interface Infrastructure {
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  rpcUrl: string;
  stop(): Promise<void>;
}

export interface InfrastructureOptions {
  dataDir: string;
  /** Keep state across restarts (dev) or start from nothing every time (tests). */
  persistent: boolean;
  /** Fixed ports for the dev stack; 0 picks free ones (tests). */
  ports: { temporal: number; temporalUi: number; anvil: number };
  headless: boolean;
  /** Given to the Temporal Web UI as its remote codec (the API's /codec). */
  codecEndpoint?: string;
  /** Tests get a database of their own on DATABASE_URL's server, dropped at the end. */
  isolatedDatabase?: boolean;
  log: (msg: string) => void;
}

/**
 * anvil dumps the dev chain this often as well as on stop, so a kill -9 of the whole stack loses
 * about this much chain (the database keeps everything). A 200 MB state costs 2-3 s of one core
 * and 200 MB of writes per dump, with transactions about 0.5 s slower during it; a few MB, nothing
 * measurable. A kill in the middle of a dump (2 s of the 60 at 200 MB) falls back to the last
 * clean stop, as without periodic dumps. docs/operations.md, "The local chain's state file".
 */
const ANVIL_STATE_INTERVAL_S = 60;

/**
 * Temporal, PostgreSQL and the chain: each taken from the environment when set
 * (TEMPORAL_ADDRESS, DATABASE_URL, BLOCKCHAIN_RPC_URL), started locally otherwise.
 */
export async function startInfrastructure(opts: InfrastructureOptions): Promise<Infrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      opts.log('starting embedded PostgreSQL');
      const dataDir = path.join(opts.dataDir, opts.persistent ? 'postgres' : `postgres-${process.pid}`);
      const pg = await startEmbeddedPostgres({ dataDir });
      stops.push(async () => {
        await pg.stop();
        // A throwaway cluster (tests, benchmarks) leaves nothing behind.
        if (!opts.persistent) fs.rmSync(dataDir, { recursive: true, force: true });
      });
      databaseUrl = pg.url;
    }
    if (opts.isolatedDatabase) {
      const isolated = await createScratchDatabase(databaseUrl, 'rahat_test');
      stops.push(isolated.drop);
      databaseUrl = isolated.url;
    }

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      opts.log('starting Temporal dev server');
      const t = await startTemporal({
        dbFile: opts.persistent ? path.join(opts.dataDir, 'temporal.db') : undefined,
        port: opts.ports.temporal,
        uiPort: opts.ports.temporalUi,
        headless: opts.headless,
        codecEndpoint: opts.codecEndpoint,
        log: opts.log,
      });
      stops.push(t.stop);
      temporalAddress = t.address;
      temporalUiUrl = t.uiUrl;
    }

    let rpcUrl = process.env.BLOCKCHAIN_RPC_URL;
    if (!rpcUrl) {
      opts.log('starting anvil');
      const say = (_: object, msg: string) => opts.log(msg);
      const persist = opts.persistent
        ? { stateFile: path.join(opts.dataDir, 'anvil-state.json'), stateIntervalSeconds: ANVIL_STATE_INTERVAL_S, logger: { info: say, warn: say } }
        : {};
      const anvil = await startAnvil({ port: opts.ports.anvil, ...persist });
      stops.push(() => anvil.stop().catch((err: Error) => opts.log(`anvil stop failed: ${err.message}`)));
      rpcUrl = anvil.url;
    }
    return { databaseUrl, temporalAddress, temporalUiUrl, rpcUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
