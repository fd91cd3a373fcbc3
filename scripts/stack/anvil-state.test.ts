import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkStateFile, chooseState, finishState, prepareState, stateFiles, type Candidate, type StateFiles } from './anvil-state';

const dump = (head: number) => JSON.stringify({ block: { number: `0x${head.toString(16)}` }, accounts: {}, best_block_number: head, blocks: [], transactions: [], historical_states: null });
const torn = (head: number) => dump(head).slice(0, 40);
const c = (role: Candidate['role'], problem?: string, exists = true): Candidate => ({ role, file: `/d/${role}`, exists, problem });

describe('choosing the chain state to load', () => {
  it('When no file exists, Then anvil starts a new chain', () => {
    expect(chooseState([c('tmp', undefined, false), c('state', undefined, false), c('prev', undefined, false)])).toEqual({ kind: 'fresh' });
  });

  it('When the state file passes and there is no tmp, Then the state file is loaded and nothing is skipped', () => {
    expect(chooseState([c('prev'), c('state'), c('tmp', undefined, false)])).toEqual({ kind: 'load', role: 'state', file: '/d/state', skipped: [], setAside: [] });
  });

  it('When a tmp passes, Then it wins over state and prev, being the newest', () => {
    expect(chooseState([c('state'), c('prev'), c('tmp')])).toMatchObject({ kind: 'load', role: 'tmp', skipped: [] });
  });

  it('When the tmp is torn, Then the state file is loaded and the tmp is skipped and set aside', () => {
    const choice = chooseState([c('tmp', 'torn'), c('state'), c('prev')]);

    expect(choice).toEqual({ kind: 'load', role: 'state', file: '/d/state', skipped: [c('tmp', 'torn')], setAside: [c('tmp', 'torn')] });
  });

  it('When tmp and state both fail, Then prev is loaded and both newer files are named as skipped', () => {
    const choice = chooseState([c('tmp', 'torn'), c('state', 'not anvil'), c('prev')]);

    expect(choice).toMatchObject({ kind: 'load', role: 'prev', skipped: [c('tmp', 'torn'), c('state', 'not anvil')] });
  });

  it('When an older file fails but a newer one passes, Then the older one is set aside without being called skipped', () => {
    expect(chooseState([c('state'), c('prev', 'torn')])).toMatchObject({ kind: 'load', role: 'state', skipped: [], setAside: [c('prev', 'torn')] });
  });

  it('When files exist but none passes, Then the choice is unusable and its message names each file, its problem and what to do', () => {
    const choice = chooseState([c('tmp', 'torn'), c('state', 'no "accounts" key'), c('prev', undefined, false)]);

    expect(choice.kind).toBe('unusable');
    const message = choice.kind === 'unusable' ? choice.message : '';
    expect(message).toContain('/d/tmp: torn');
    expect(message).toContain('/d/state: no "accounts" key');
    expect(message).not.toContain('/d/prev');
    expect(message).toMatch(/docs\/operations\.md/);
  });
});

describe('the state files on disk', () => {
  let dir: string;
  let files: StateFiles;
  const logs: string[] = [];
  const logger = { info: (_: object, m: string) => logs.push(m), warn: (_: object, m: string) => logs.push(`WARN ${m}`) };
  const names = () => readdirSync(dir).sort();
  const head = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { best_block_number: number }).best_block_number;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'anvil-state-unit-'));
    files = stateFiles(path.join(dir, 'anvil-state.json'));
    logs.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('When the state file is named, Then tmp and prev sit beside it', () => {
    expect(files).toEqual({ state: path.join(dir, 'anvil-state.json'), tmp: path.join(dir, 'anvil-state.json.tmp'), prev: path.join(dir, 'anvil-state.prev.json') });
  });

  it("When files are checked, Then only a complete object with anvil's keys passes", async () => {
    writeFileSync(files.state, dump(3));
    expect(await checkStateFile(files.state)).toBeUndefined();
    writeFileSync(files.state, torn(3));
    expect(await checkStateFile(files.state)).toMatch(/not complete JSON: ends before/);
    writeFileSync(files.state, JSON.stringify({ accounts: {} }));
    expect(await checkStateFile(files.state)).toMatch(/no "block" key/);
    writeFileSync(files.state, '[]');
    expect(await checkStateFile(files.state)).toMatch(/not an object/);
  });

  it('When a good dump is finished, Then state becomes prev and the dump becomes state', async () => {
    writeFileSync(files.state, dump(1));
    writeFileSync(files.tmp, dump(2));

    await finishState(files, logger);

    expect(names()).toEqual(['anvil-state.json', 'anvil-state.prev.json']);
    expect([head(files.state), head(files.prev)]).toEqual([2, 1]);
  });

  it('When a torn dump is finished, Then it is moved aside, never promoted, and the state is untouched', async () => {
    writeFileSync(files.state, dump(1));
    writeFileSync(files.tmp, torn(2));

    await finishState(files, logger);

    expect(names()).toEqual([expect.stringMatching(/^anvil-state\.json$/), expect.stringMatching(/^anvil-state\.tmp\.bad-[-\dTZ]+\.json$/)]);
    expect(head(files.state)).toBe(1);
    expect(logs.join('\n')).toMatch(/WARN anvil's state dump is unusable \(not complete JSON/);
  });

  it('When a good tmp is found at start, Then it is promoted before anvil can overwrite it and state is loaded', async () => {
    writeFileSync(files.state, dump(1));
    writeFileSync(files.tmp, dump(2));

    expect(await prepareState(files, logger)).toBe(files.state);
    expect(names()).toEqual(['anvil-state.json', 'anvil-state.prev.json']);
    expect(head(files.state)).toBe(2);
  });

  it('When state is torn at start, Then it is moved aside with the reason logged and prev is loaded', async () => {
    writeFileSync(files.state, torn(2));
    writeFileSync(files.prev, dump(1));

    expect(await prepareState(files, logger)).toBe(files.prev);
    expect(existsSync(files.state)).toBe(false);
    expect(names()).toContainEqual(expect.stringMatching(/^anvil-state\.bad-.+\.json$/));
    expect(logs.join('\n')).toMatch(/WARN chain state file anvil-state\.json newer than anvil-state\.prev\.json but unusable/);
    expect(logs.join('\n')).toMatch(/loading chain state from anvil-state\.prev\.json \(the newer files failed the check\)/);
  });

  it('When every file is torn at start, Then it fails naming them and moves nothing', async () => {
    writeFileSync(files.state, torn(2));
    writeFileSync(files.prev, torn(1));

    await expect(prepareState(files, logger)).rejects.toThrow(/anvil-state\.json: not complete JSON[\s\S]*anvil-state\.prev\.json: not complete JSON/);
    expect(names()).toEqual(['anvil-state.json', 'anvil-state.prev.json']);
  });
});
