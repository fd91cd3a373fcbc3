import type { Contract, JsonRpcProvider } from 'ethers';
import { queryLogsPaged } from './log-pages';

/** A contract whose provider refuses ranges wider than `cap` blocks, as hosted RPCs do. */
function capped(cap: number, logsAt: number[]) {
  const calls: [number, number][] = [];
  const contract = {
    async queryFilter(_f: unknown, from: number, to: number) {
      calls.push([from, to]);
      if (to - from + 1 > cap)
        throw Object.assign(new Error('could not coalesce error'), { error: { message: `query exceeds max block range ${cap}` } });
      return logsAt.filter((b) => b >= from && b <= to).map((blockNumber) => ({ blockNumber }));
    },
  } as unknown as Contract;
  const provider = { getBlockNumber: async () => 1000 } as unknown as JsonRpcProvider;
  return { contract, provider, calls };
}

describe('queryLogsPaged', () => {
  it('When the provider caps ranges below the page size, Then pages shrink until accepted and every log is found once', async () => {
    const { contract, provider, calls } = capped(100, [5, 150, 999]);

    const logs = await queryLogsPaged(provider, contract, {} as never, 0);

    expect(logs.map((l) => l.blockNumber)).toEqual([5, 150, 999]);
    expect(calls.every(([from, to]) => from >= 0 && to <= 1000)).toBe(true);
    expect(Math.max(...calls.filter(([f, t]) => t - f + 1 <= 100).map(([f, t]) => t - f + 1))).toBeLessThanOrEqual(100);
  });

  it('When the scan starts at a deployment block, Then no block before it is asked for', async () => {
    const { contract, provider, calls } = capped(5000, [900]);

    await queryLogsPaged(provider, contract, {} as never, 800);

    expect(Math.min(...calls.map(([from]) => from))).toBe(800);
  });

  it('When an error is not about the range, Then it is thrown, not retried in smaller pages', async () => {
    const contract = { queryFilter: async () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as Contract;
    const provider = { getBlockNumber: async () => 10 } as unknown as JsonRpcProvider;

    await expect(queryLogsPaged(provider, contract, {} as never, 0)).rejects.toThrow(/ECONNREFUSED/);
  });
});
