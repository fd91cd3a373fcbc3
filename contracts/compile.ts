import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JsonFragment } from 'ethers';
import type { ContractArtifact } from './artifacts';
import { BUILD_DIR, BUILD_STAMP_FILE, CONTRACTS_DIR, SRC_DIR, artifactPath } from './paths';

export interface CompileLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CompileOptions {
  /** Ignore the build stamp and always run solc. */
  force?: boolean;
  logger?: CompileLogger;
}

// Cancun is the newest fork every anvil 1.x default (prague/osaka) still executes identically.
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage: string;
}

interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<string, Record<string, { abi: JsonFragment[]; evm: { bytecode: { object: string } } }>>;
}

interface BuildStamp {
  sourceHash: string;
  contracts: string[];
}

/** Compiles contracts/src/*.sol into contracts/build, skipping solc when inputs are unchanged. */
export async function compileContracts(opts: CompileOptions = {}): Promise<void> {
  const sources = await readSources();
  const sourceHash = hashInputs(sources);
  if (!opts.force && (await isUpToDate(sourceHash))) {
    opts.logger?.info({ sourceHash }, 'contracts up to date, skipping compile');
    return;
  }

  // Loaded lazily: requiring solc-js costs ~1s, which the up-to-date path should not pay.
  const { default: solc } = await import('solc');
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: resolveImport })) as SolcOutput;
  const problems = output.errors ?? [];
  const errors = problems.filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`Solidity compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  for (const w of problems.filter((e) => e.severity === 'warning')) {
    opts.logger?.warn({ warning: w.formattedMessage }, 'solc warning');
  }

  await mkdir(BUILD_DIR, { recursive: true });
  const written: string[] = [];
  for (const unit of Object.keys(sources)) {
    for (const [contractName, out] of Object.entries(output.contracts?.[unit] ?? {})) {
      // Abstract contracts and interfaces have no bytecode; nothing to deploy.
      if (!out.evm.bytecode.object) continue;
      const artifact: ContractArtifact = {
        contractName,
        abi: out.abi,
        bytecode: `0x${out.evm.bytecode.object}`,
        sourceHash,
      };
      await writeAtomic(artifactPath(contractName), JSON.stringify(artifact, null, 2));
      written.push(contractName);
    }
  }
  // Stamp last: a crash mid-write leaves no stamp and the next run recompiles.
  const stamp: BuildStamp = { sourceHash, contracts: written };
  await writeAtomic(BUILD_STAMP_FILE, JSON.stringify(stamp, null, 2));
  opts.logger?.info({ sourceHash, contracts: written }, 'contracts compiled');
}

async function readSources(): Promise<Record<string, { content: string }>> {
  const files = (await readdir(SRC_DIR)).filter((f) => f.endsWith('.sol')).sort();
  if (files.length === 0) throw new Error(`No Solidity sources found in ${SRC_DIR}`);
  const sources: Record<string, { content: string }> = {};
  for (const file of files) {
    sources[`src/${file}`] = { content: await readFile(path.join(SRC_DIR, file), 'utf8') };
  }
  return sources;
}

function hashInputs(sources: Record<string, { content: string }>): string {
  const hash = createHash('sha256');
  // solc-js package versions track the bundled compiler version exactly.
  hash.update(packageVersion('solc'));
  hash.update(JSON.stringify(SETTINGS));
  // Library version stands in for hashing every imported file.
  hash.update(packageVersion('@openzeppelin/contracts'));
  for (const [name, { content }] of Object.entries(sources)) {
    hash.update(`\0${name}\0${content}`);
  }
  return `0x${hash.digest('hex')}`;
}

async function isUpToDate(sourceHash: string): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(BUILD_STAMP_FILE, 'utf8')) as BuildStamp;
    if (stamp.sourceHash !== sourceHash) return false;
    for (const name of stamp.contracts) {
      const artifact = JSON.parse(await readFile(artifactPath(name), 'utf8')) as ContractArtifact;
      if (artifact.sourceHash !== sourceHash) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function resolveImport(importPath: string): { contents: string } | { error: string } {
  try {
    const file = require.resolve(importPath, { paths: [CONTRACTS_DIR] });
    return { contents: readFileSync(file, 'utf8') };
  } catch (err) {
    return { error: `Cannot resolve import ${importPath}: ${(err as Error).message}` };
  }
}

function packageVersion(pkg: string): string {
  const file = require.resolve(`${pkg}/package.json`, { paths: [CONTRACTS_DIR] });
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

// Unique temp name + rename so parallel test workers never read a half-written file.
async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

if (require.main === module) {
  const log = (level: string) => (obj: object, msg: string) => process.stderr.write(`[compile] ${level} ${msg} ${JSON.stringify(obj)}\n`);
  compileContracts({ force: process.argv.includes('--force'), logger: { info: log('info'), warn: log('warn') } }).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
