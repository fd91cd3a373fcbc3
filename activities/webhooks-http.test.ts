import { retryDelayMs } from './webhooks-http';

describe('retryDelayMs', () => {
  it('When attempts grow, Then the delay doubles from the initial one', () => {
    const noJitter = () => 0;

    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1000, noJitter))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('When the doubling would pass an hour, Then it stops at an hour plus jitter', () => {
    expect(retryDelayMs(30, 10_000, () => 0)).toBe(3_600_000);
    expect(retryDelayMs(30, 10_000, () => 1)).toBe(3_960_000);
  });
});
