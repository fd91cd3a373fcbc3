/**
 * Token buckets in this process's memory: each key holds up to `perMinute` tokens and gets
 * them back evenly over a minute. The fallback of the shared limits (api/rate-limits.ts) while
 * Redis is unreachable: each API process then allows the full rate (docs/security.md); memory
 * stays bounded by dropping full buckets, then the oldest.
 */
export interface RateDecision {
  ok: boolean;
  /** Whole seconds until one request is allowed again (0 when ok). */
  retryAfterSeconds: number;
  remaining: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 50_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string, now = Date.now()): RateDecision {
    const previous = this.buckets.get(key);
    const tokens = previous ? Math.min(this.perMinute, previous.tokens + (now - previous.at) * this.perMs) : this.perMinute;
    this.buckets.delete(key); // re-inserted below: Map order = least recently used first
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)), remaining: 0 };
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.prune(now);
    return { ok: true, retryAfterSeconds: 0, remaining: Math.floor(tokens - 1) };
  }

  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.at) * this.perMs >= this.perMinute) this.buckets.delete(k);
    for (const k of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(k);
    }
  }
}
