import { isIP } from 'node:net';
import { z } from 'zod';

/** What Express's `trust proxy` gets: trust no peer, the nearest N hops, or these addresses. */
export type TrustProxy = false | number | string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(entry: string): boolean {
  if (NAMED.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (!version || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `false` (the default: X-Forwarded-For is ignored), a hop count, or a
 * comma-separated list of proxy addresses and CIDR subnets (`loopback`, `linklocal`,
 * `uniquelocal` name Express's presets). `true` is refused: it would trust any
 * X-Forwarded-For a client writes, letting it pick the address its limits count.
 */
export const trustProxy = z.string().transform((raw, ctx): TrustProxy => {
  const value = raw.trim();
  if (value === 'false') return false;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  if (value === 'true') {
    ctx.addIssue({ code: 'custom', message: 'true would trust any X-Forwarded-For; give the hop count or the proxies’ addresses' });
    return z.NEVER;
  }
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isAddressOrSubnet(e));
  if (!entries.length || bad.length) {
    ctx.addIssue({
      code: 'custom',
      message: `must be false, a hop count, or addresses/CIDR subnets (or loopback, linklocal, uniquelocal)${bad.length ? `; not: ${bad.join(', ')}` : ''}`,
    });
    return z.NEVER;
  }
  return entries;
});
