import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAnvil } from '../../scripts/stack/anvil';

/*
 * The local stack keeps its chain in a state file that anvil writes when it stops. A stop
 * that is cut short (the process killed while it writes) must leave the last good state
 * readable, so the next start finds the chain the database remembers.
 */
const rpc = async (url: string, method: string, params: unknown[] = []) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await res.json()) as { result: unknown }).result;
};
const head = async (url: string) => Number(await rpc(url, 'eth_blockNumber'));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'anvil-state-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sizes and times of every file in the folder: a write by anvil changes one of them. */
const snapshot = () =>
  readdirSync(dir)
    .map((f) => `${f}:${statSync(path.join(dir, f)).size}:${statSync(path.join(dir, f)).mtimeMs}`)
    .join('|');

describe('anvil state file', () => {
  const stateFile = () => path.join(dir, 'anvil-state.json');

  it('When anvil is stopped normally twice, Then the next start continues the chain and the previous good state is kept', async () => {
    const a = await startAnvil({ stateFile: stateFile() });
    await rpc(a.url, 'evm_mine');
    await a.stop();
    const b = await startAnvil({ stateFile: stateFile() });
    expect(await head(b.url)).toBe(1);
    await rpc(b.url, 'evm_mine');
    await b.stop();
    const c = await startAnvil({ stateFile: stateFile() });
    try {
      expect(await head(c.url)).toBe(2);
      expect(existsSync(path.join(dir, 'anvil-state.prev.json'))).toBe(true);
    } finally {
      await c.stop();
    }
  }, 60_000);

  it('When anvil is killed while it writes its state, Then the next start comes up on the last good state', async () => {
    const a = await startAnvil({ stateFile: stateFile() });
    const before = await head(a.url);
    // Enough state that writing it takes a while (tens of MB).
    const code = `0x${'ab'.repeat(4000)}`;
    for (let i = 0; i < 6000; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => rpc(a.url, 'anvil_setCode', [`0x${(i + j + 1).toString(16).padStart(40, '0')}`, code])));
    }
    await rpc(a.url, 'evm_mine');
    const quiet = snapshot();
    process.kill(a.pid, 'SIGTERM');
    // The moment the dump starts changing a file, kill -9: the stop is cut short mid-write.
    const deadline = Date.now() + 10_000;
    while (snapshot() === quiet && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    process.kill(a.pid, 'SIGKILL');
    await a.stop();

    const b = await startAnvil({ stateFile: stateFile() });
    try {
      expect([before, before + 1]).toContain(await head(b.url));
    } finally {
      await b.stop();
    }
  }, 90_000);

  it('When anvil needs longer than a few seconds to write its state, Then stop waits for it, says so, and the state is kept', async () => {
    const lines: string[] = [];
    const logger = { info: (_: object, m: string) => lines.push(m), warn: (_: object, m: string) => lines.push(m) };
    const a = await startAnvil({ stateFile: stateFile(), logger });
    const before = await head(a.url);
    await rpc(a.url, 'evm_mine');
    // Frozen, anvil acts on the SIGTERM only when continued: a dump that takes 7 s. The old stop killed it at 5 s.
    process.kill(a.pid, 'SIGSTOP');
    const stopped = a.stop();
    await new Promise((r) => setTimeout(r, 7_000));
    process.kill(a.pid, 'SIGCONT');
    await stopped;

    expect(lines.some((l) => /waiting for anvil to write its state/.test(l))).toBe(true);
    const b = await startAnvil({ stateFile: stateFile() });
    try {
      expect(await head(b.url)).toBe(before + 1);
    } finally {
      await b.stop();
    }
  }, 60_000);

  it('When the whole stack is killed -9 after a periodic dump, Then the next start comes up on that dump', async () => {
    const a = await startAnvil({ stateFile: stateFile(), stateIntervalSeconds: 2 });
    const target = (await head(a.url)) + 3;
    for (let i = 0; i < 3; i++) await rpc(a.url, 'evm_mine');
    // Right after a complete dump holding the new head, so the kill cannot land inside the next one.
    const tmp = `${stateFile()}.tmp`;
    const dumped = () => {
      try {
        return (JSON.parse(readFileSync(tmp, 'utf8')) as { best_block_number: number }).best_block_number === target;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 10_000;
    while (!dumped() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    process.kill(a.pid, 'SIGKILL');

    // Nobody ran a.stop(): the dump was never promoted, as when the parent died with anvil.
    const b = await startAnvil({ stateFile: stateFile() });
    try {
      expect(await head(b.url)).toBe(target);
    } finally {
      await b.stop();
      await a.stop();
    }
  }, 60_000);
});
