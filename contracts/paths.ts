import path from 'node:path';

// Anchored to this file, not process.cwd(), so scripts and tests agree wherever they run from.
export const CONTRACTS_DIR = __dirname;
export const SRC_DIR = path.join(CONTRACTS_DIR, 'src');
export const BUILD_DIR = path.join(CONTRACTS_DIR, 'build');
/** Records the input hash of the last successful build so unchanged sources skip solc. */
export const BUILD_STAMP_FILE = path.join(BUILD_DIR, '.build-stamp.json');

export function artifactPath(contractName: string): string {
  return path.join(BUILD_DIR, `${contractName}.json`);
}
