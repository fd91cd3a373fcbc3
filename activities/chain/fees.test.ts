import { bumped } from './fees';

describe('bumped', () => {
  it('When a transaction is replaced, Then both fees rise by at least the 10% nodes require', () => {
    const fees = { maxFeePerGas: 1_000n, maxPriorityFeePerGas: 100n };
    const next = bumped(fees);
    expect(next.maxFeePerGas * 100n).toBeGreaterThanOrEqual(fees.maxFeePerGas * 110n);
    expect(next.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(fees.maxPriorityFeePerGas * 110n);
  });

  it('When the market rose above the bump, Then the replacement pays the market price', () => {
    const next = bumped({ maxFeePerGas: 1_000n, maxPriorityFeePerGas: 100n }, { maxFeePerGas: 5_000n, maxPriorityFeePerGas: 50n });
    expect(next).toEqual({ maxFeePerGas: 5_000n, maxPriorityFeePerGas: 126n });
  });
});
