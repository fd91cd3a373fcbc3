import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('When a key spends its minute allowance, Then the next request is refused with the seconds until one token is back', () => {
    const buckets = new TokenBuckets(3);
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => buckets.take('k', t0).ok)).toEqual([true, true, true]);

    const refused = buckets.take('k', t0);

    expect(refused).toEqual({ ok: false, retryAfterSeconds: 20, remaining: 0 });
  });

  it('When time passes, Then tokens come back evenly, and other keys are unaffected', () => {
    const buckets = new TokenBuckets(60);
    const t0 = 5_000;
    for (let i = 0; i < 60; i++) buckets.take('a', t0);
    expect(buckets.take('a', t0).ok).toBe(false);
    expect(buckets.take('b', t0).ok).toBe(true);

    expect(buckets.take('a', t0 + 999).ok).toBe(false);
    expect(buckets.take('a', t0 + 2000).ok).toBe(true);
  });

  it('When more keys than the bound are seen, Then the map stays bounded', () => {
    const buckets = new TokenBuckets(10, 100);
    for (let i = 0; i < 1000; i++) buckets.take(`ip:${i}`, i);

    expect(buckets.size).toBeLessThanOrEqual(100);
  });
});
