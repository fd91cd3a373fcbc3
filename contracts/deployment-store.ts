import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface DeploymentRecord {
  address: string;
  /** keccak256 of the runtime code; detects a reset chain or a different contract at the address. */
  codeHash: string;
  /** Block the contract was created in: where a scan of its events can start. */
  blockNumber?: number;
}

/** Where deployCore remembers what it deployed, keyed by chain id then contract name. */
export interface DeploymentStore {
  load(chainId: number): Promise<Record<string, DeploymentRecord>>;
  save(chainId: number, name: string, rec: DeploymentRecord): Promise<void>;
}

type StoreFile = Record<string, Record<string, DeploymentRecord>>;

/** JSON-file store for scripts and tests: `{ "<chainId>": { "<name>": { address, codeHash, blockNumber? } } }`. */
export function fileDeploymentStore(filePath: string): DeploymentStore {
  const file = path.resolve(filePath);
  // Serialise read-modify-write so concurrent saves from one process don't drop records.
  let queue: Promise<unknown> = Promise.resolve();

  const read = async (): Promise<StoreFile> => {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error(`Deployment store ${file} is not a JSON object`);
      }
      return parsed as StoreFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
  };

  return {
    async load(chainId) {
      await queue;
      return { ...((await read())[String(chainId)] ?? {}) };
    },
    save(chainId, name, rec) {
      const run = queue.then(async () => {
        const data = await read();
        const saved: DeploymentRecord = { address: rec.address, codeHash: rec.codeHash };
        if (rec.blockNumber !== undefined) saved.blockNumber = rec.blockNumber;
        data[String(chainId)] = { ...data[String(chainId)], [name]: saved };
        await mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
        await rename(tmp, file);
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
