import { readFileSync } from 'node:fs';
import { Interface, type JsonFragment } from 'ethers';
import { artifactPath } from './paths';

export const CONTRACT_NAMES = [
  'RahatToken',
  'RahatTreasury',
  'RahatForwarder',
  'RahatDisbursement',
  'RahatWallet',
  'RahatWalletFactory',
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** Shape written to contracts/build/<ContractName>.json by compile.ts. */
export interface ContractArtifact {
  contractName: string;
  abi: JsonFragment[];
  bytecode: string;
  sourceHash: string;
}

export interface LoadedArtifact {
  abi: JsonFragment[];
  bytecode: string;
}

/**
 * Reads a compiled artifact. Not cached: a compile later in the same process
 * (e.g. a test's beforeAll) must be visible immediately.
 */
export function loadArtifact(name: ContractName): LoadedArtifact {
  const file = artifactPath(name);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Contract artifact ${file} not found. Compile first: npx tsx contracts/compile.ts`);
    }
    throw err;
  }
  const parsed = JSON.parse(raw) as Partial<ContractArtifact>;
  if (!Array.isArray(parsed.abi) || typeof parsed.bytecode !== 'string' || !parsed.bytecode.startsWith('0x')) {
    throw new Error(`Contract artifact ${file} is malformed. Recompile: npx tsx contracts/compile.ts`);
  }
  return { abi: parsed.abi, bytecode: parsed.bytecode };
}

/** ABI-only view for decoding logs, errors and calldata without a live contract. */
export function contractInterface(name: ContractName): Interface {
  return new Interface(loadArtifact(name).abi);
}

export const tokenInterface = (): Interface => contractInterface('RahatToken');
export const treasuryInterface = (): Interface => contractInterface('RahatTreasury');
export const forwarderInterface = (): Interface => contractInterface('RahatForwarder');
