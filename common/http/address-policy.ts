import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress, type AddressKind } from './ip-ranges';
import { AddressRefusedError } from './errors';

/**
 * Which addresses outside-service calls may reach (OUTBOUND_ADDRESS_POLICY, docs/operations.md):
 * - `public`: public addresses only (production's default);
 * - `loopback`: also loopback, for local stand-ins (the default elsewhere);
 * - `private`: also RFC 1918, unique-local and CGNAT, for registries inside one's own network.
 * Link-local, metadata, unspecified and reserved addresses are refused under every policy.
 */
export type AddressPolicy = 'public' | 'loopback' | 'private';
export const ADDRESS_POLICIES = ['public', 'loopback', 'private'] as const;

const ALLOWED: Record<AddressPolicy, ReadonlySet<AddressKind>> = {
  public: new Set(['public']),
  loopback: new Set(['public', 'loopback']),
  private: new Set(['public', 'loopback', 'private', 'cgnat']),
};

/** Resolves a host name to every address it has; injectable so tests can change the answer. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const RESOLVE_TIMEOUT_MS = 3000;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The refusal for `ip` under `policy`, or undefined when it may be reached. */
export function refusal(ip: string, policy: AddressPolicy, host = ip): AddressRefusedError | undefined {
  const kind = classifyAddress(ip);
  return ALLOWED[policy].has(kind) ? undefined : new AddressRefusedError(host, ip, kind);
}

/** The URL's host as an IP literal (brackets removed), or undefined for a name. */
export function literalIp(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

/**
 * Checks where a URL points, at registration: an IP literal by itself, a name by every address
 * it resolves to now. A name that does not resolve (or not within 3 s) passes (it may be set up later); the
 * connection-time check (guardedLookup) refuses it then if it resolves somewhere refused.
 */
export async function checkUrlAddress(url: string, policy: AddressPolicy, resolve: Resolver = systemResolver): Promise<void> {
  const parsed = new URL(url);
  const ip = literalIp(parsed);
  if (ip) {
    const refused = refusal(ip, policy);
    if (refused) throw refused;
    return;
  }
  let addresses: LookupAddress[];
  let timer: NodeJS.Timeout | undefined;
  try {
    addresses = await Promise.race([
      resolve(parsed.hostname),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('resolution timed out')), RESOLVE_TIMEOUT_MS))),
    ]);
  } catch {
    return;
  } finally {
    clearTimeout(timer);
  }
  for (const a of addresses) {
    const refused = refusal(a.address, policy, parsed.hostname);
    if (refused) throw refused;
  }
}

/**
 * A `lookup` for the HTTP agent: every connection resolves the name again and is refused when
 * any address is refused, so a name that resolved to a public address at registration and to
 * 127.0.0.1 now (DNS rebinding) never gets a connection. IP literals never reach a lookup;
 * the client checks those itself before connecting.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        const refused = addresses.map((a) => refusal(a.address, policy, hostname)).find(Boolean);
        if (refused) return callback(refused, '', 0);
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
