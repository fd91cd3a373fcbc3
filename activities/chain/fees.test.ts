import { bumped, capped, isReplacement } from './fees';

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

describe('the fee ceiling', () => {
  const ceiling = 2_000n;

  it('When a bump would pass the ceiling, Then both fees stop at it and the tip never exceeds the fee cap', () => {
    const next = bumped({ maxFeePerGas: 1_900n, maxPriorityFeePerGas: 1_900n }, undefined, ceiling);
    expect(next).toEqual({ maxFeePerGas: 2_000n, maxPriorityFeePerGas: 2_000n });
  });

  it('When the fees are at the ceiling already, Then another bump is no valid replacement', () => {
    const at = { maxFeePerGas: ceiling, maxPriorityFeePerGas: 100n };
    expect(isReplacement(at, bumped(at, undefined, ceiling))).toBe(false);
  });

  it('When there is room below the ceiling, Then the bump is a valid replacement', () => {
    const fees = { maxFeePerGas: 1_000n, maxPriorityFeePerGas: 100n };
    expect(isReplacement(fees, bumped(fees, undefined, ceiling))).toBe(true);
  });

  it('When the market is above the ceiling, Then capped fees are the ceiling', () => {
    expect(capped({ maxFeePerGas: 9_000n, maxPriorityFeePerGas: 3_000n }, ceiling)).toEqual({
      maxFeePerGas: 2_000n,
      maxPriorityFeePerGas: 2_000n,
    });
  });
});
