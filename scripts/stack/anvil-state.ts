import { existsSync } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { scanJsonFile, type JsonKind } from './json-scan';

/*
 * anvil writes its state in place (open with O_TRUNC, then write), so a stop cut short leaves a
 * torn file. It therefore only ever writes `<state>.tmp`; we promote a tmp that checks out by
 * renames, and keep the state before it as `.prev`. docs/operations.md, "The local chain's state
 * file", is the operator's side of this.
 */

export interface StateLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type StateRole = 'tmp' | 'state' | 'prev';

export interface StateFiles {
  state: string;
  tmp: string;
  prev: string;
}

/** `.data/anvil-state.json` → tmp `.data/anvil-state.json.tmp`, prev `.data/anvil-state.prev.json`. */
export function stateFiles(stateFile: string): StateFiles {
  const state = path.resolve(stateFile);
  const ext = path.extname(state);
  return { state, tmp: `${state}.tmp`, prev: `${state.slice(0, state.length - ext.length)}.prev${ext}` };
}

/** Where a file that failed the check is moved: `anvil-state.tmp.bad-2025-01-31T10-00-00-000Z.json`. */
export function setAsideName(files: StateFiles, role: StateRole, when: Date): string {
  const ext = path.extname(files.state);
  const stem = files.state.slice(0, files.state.length - ext.length);
  return `${stem}${role === 'state' ? '' : `.${role}`}.bad-${when.toISOString().replace(/[:.]/g, '-')}${ext}`;
}

// The top-level keys anvil 1.x always writes (a real dump also has historical_states, often null).
const SHAPE: Record<string, JsonKind[]> = {
  block: ['object'],
  accounts: ['object'],
  best_block_number: ['number', 'string'],
  blocks: ['array'],
  transactions: ['array'],
};

/**
 * Undefined when the file is one complete JSON object of anvil's state shape, else why not.
 * Streams the file: about 0.8 s and flat memory for 200 MB (JSON.parse: 1.4-2.6 s, +0.5 GB, and no
 * string may exceed 512 MB). A torn file fails: its top-level object is never closed.
 */
export async function checkStateFile(file: string): Promise<string | undefined> {
  const scan = await scanJsonFile(file);
  if (!scan.ok) return `not complete JSON: ${scan.reason} at byte ${scan.offset}`;
  if (scan.kind !== 'object') return `top-level JSON is ${scan.kind}, not an object`;
  for (const [key, kinds] of Object.entries(SHAPE)) {
    const kind = scan.keys.get(key);
    if (!kind) return `no "${key}" key: not an anvil state dump`;
    if (!kinds.includes(kind)) return `"${key}" is ${kind}, expected ${kinds.join(' or ')}`;
  }
  return undefined;
}

export interface Candidate {
  role: StateRole;
  file: string;
  exists: boolean;
  /** Why the file failed the check; undefined when it passed (or does not exist). */
  problem?: string;
}

export type StateChoice =
  | { kind: 'fresh' }
  | {
      kind: 'load';
      role: StateRole;
      file: string;
      /** Existing files newer than the chosen one, which failed the check. */
      skipped: Candidate[];
      /** Every existing file that failed the check, to move aside before anvil starts. */
      setAside: Candidate[];
    }
  | { kind: 'unusable'; message: string };

const NEWEST_FIRST: StateRole[] = ['tmp', 'state', 'prev'];

/**
 * The newest file that passed the check. Newest by role, not mtime: tmp is written only by an
 * anvil that loaded state (or prev), and state replaces prev, so the order is the write order.
 */
export function chooseState(candidates: Candidate[]): StateChoice {
  const ordered = NEWEST_FIRST.map((role) => candidates.find((c) => c.role === role)).filter((c): c is Candidate => !!c?.exists);
  if (ordered.length === 0) return { kind: 'fresh' };
  const chosen = ordered.findIndex((c) => c.problem === undefined);
  if (chosen < 0) {
    const list = ordered.map((c) => `  ${c.file}: ${c.problem}`).join('\n');
    return {
      kind: 'unusable',
      message:
        `No chain state file passes the check, so anvil was not started:\n${list}\n` +
        'To restore one by hand, see docs/operations.md ("The local chain\'s state file"). To start a new ' +
        'chain instead, move these files away; the database still describes the old chain, so for the dev ' +
        'stack that means starting over with an empty .data/.',
    };
  }
  return {
    kind: 'load',
    role: ordered[chosen].role,
    file: ordered[chosen].file,
    skipped: ordered.slice(0, chosen),
    setAside: ordered.filter((c) => c.problem !== undefined),
  };
}

async function candidate(role: StateRole, file: string): Promise<Candidate> {
  if (!existsSync(file)) return { role, file, exists: false };
  return { role, file, exists: true, problem: await checkStateFile(file) };
}

/** Checks the files before anvil starts; returns the one to give `--load-state`, if any. */
export async function prepareState(files: StateFiles, logger?: StateLogger): Promise<string | undefined> {
  const candidates = await Promise.all(NEWEST_FIRST.map((role) => candidate(role, files[role])));
  const choice = chooseState(candidates);
  if (choice.kind === 'unusable') throw new Error(choice.message);
  if (choice.kind === 'fresh') {
    logger?.info({ stateFile: files.state }, 'no chain state file yet: anvil starts a new chain');
    return undefined;
  }
  const now = new Date();
  for (const c of choice.setAside) {
    const aside = setAsideName(files, c.role, now);
    await rename(c.file, aside);
    const newer = choice.skipped.includes(c) ? `newer than ${path.basename(choice.file)} but ` : '';
    logger?.warn(
      { file: c.file, movedTo: aside, problem: c.problem },
      `chain state file ${path.basename(c.file)} ${newer}unusable (${c.problem}); moved aside as ${path.basename(aside)}`,
    );
  }
  if (choice.role === 'tmp') {
    // A dump that was never promoted (the stop was cut short after anvil finished, or a periodic
    // dump before a kill -9): promote it now, so anvil's next dump cannot overwrite it.
    await promote(files, logger);
    logger?.info({ file: files.state }, 'loading chain state from an unpromoted dump, now promoted');
    return files.state;
  }
  const why = choice.skipped.length ? 'the newer files failed the check' : 'the newest file';
  logger?.info({ file: choice.file }, `loading chain state from ${path.basename(choice.file)} (${why})`);
  return choice.file;
}

/** After anvil exited: promote a tmp that passes the check, move a torn one aside. */
export async function finishState(files: StateFiles, logger?: StateLogger): Promise<void> {
  if (!existsSync(files.tmp)) {
    logger?.warn({ tmp: files.tmp }, `anvil left no state dump; ${path.basename(files.state)} keeps the last good state`);
    return;
  }
  const problem = await checkStateFile(files.tmp);
  if (problem) {
    const aside = setAsideName(files, 'tmp', new Date());
    await rename(files.tmp, aside);
    logger?.warn(
      { tmp: files.tmp, movedTo: aside, problem },
      `anvil's state dump is unusable (${problem}); moved aside as ${path.basename(aside)}, ` +
        `${path.basename(files.state)} keeps the last good state`,
    );
    return;
  }
  await promote(files, logger);
}

/** state → prev, tmp → state, each step a rename; the data and the folder are fsynced. */
async function promote(files: StateFiles, logger?: StateLogger): Promise<void> {
  await fsync(files.tmp);
  if (existsSync(files.state)) await rename(files.state, files.prev);
  await rename(files.tmp, files.state);
  // Windows cannot open a folder to fsync it; its renames are durable on their own.
  if (process.platform !== 'win32') await fsync(path.dirname(files.state));
  const { size } = await stat(files.state);
  const saved = size < 1e6 ? `${Math.ceil(size / 1e3)} kB` : `${(size / 1e6).toFixed(1)} MB`;
  const kept = existsSync(files.prev) ? `; the one before is ${path.basename(files.prev)}` : '';
  logger?.info({ file: files.state, bytes: size, prev: files.prev }, `chain state saved as ${path.basename(files.state)} (${saved}${kept})`);
}

async function fsync(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
