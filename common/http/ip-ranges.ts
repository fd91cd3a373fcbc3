import { isIP } from 'node:net';

/**
 * What kind of address an IP is, for the outbound address policy (address-policy.ts). Pure:
 * bytes and prefixes, no I/O. IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) IPv6
 * addresses are judged by the IPv4 address they carry, so a v6 spelling cannot smuggle one in.
 */
export type AddressKind = 'public' | 'loopback' | 'private' | 'cgnat' | 'link-local' | 'metadata' | 'unspecified' | 'reserved';

type Range = [prefix: number[], bits: number, kind: AddressKind];

// Most specific first: the first match wins (169.254.169.254 is metadata before link-local).
const V4: Range[] = [
  [[169, 254, 169, 254], 32, 'metadata'], // AWS, GCP, Azure, OpenStack
  [[169, 254, 170, 2], 32, 'metadata'], // AWS ECS task metadata
  [[100, 100, 100, 200], 32, 'metadata'], // Alibaba Cloud
  [[0], 8, 'unspecified'], // "this network", 0.0.0.0
  [[127], 8, 'loopback'],
  [[10], 8, 'private'],
  [[172, 16], 12, 'private'],
  [[192, 168], 16, 'private'],
  [[100, 64], 10, 'cgnat'],
  [[169, 254], 16, 'link-local'],
  [[192, 0, 0], 24, 'reserved'], // IETF protocol assignments
  [[192, 0, 2], 24, 'reserved'], // documentation
  [[198, 51, 100], 24, 'reserved'],
  [[203, 0, 113], 24, 'reserved'],
  [[198, 18], 15, 'reserved'], // benchmarking
  [[224], 4, 'reserved'], // multicast
  [[240], 4, 'reserved'], // future use, broadcast
];

const V6: Range[] = [
  [[0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54], 128, 'metadata'], // fd00:ec2::254 (AWS)
  [[...Array<number>(16).fill(0)], 128, 'unspecified'], // ::
  [[...Array<number>(15).fill(0), 1], 128, 'loopback'], // ::1
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'private'], // deprecated site-local
  [[0xfc], 7, 'private'], // unique local
  [[0xff], 8, 'reserved'], // multicast
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'], // documentation
  [[...Array<number>(16).fill(0)], 96, 'reserved'], // deprecated IPv4-compatible ::a.b.c.d
];

const MAPPED = [...Array<number>(10).fill(0), 0xff, 0xff]; // ::ffff:0:0/96
const NAT64 = [0x00, 0x64, 0xff, 0x9b, ...Array<number>(8).fill(0)]; // 64:ff9b::/96

/** The kind of `ip` (IPv4 dotted quad or IPv6, brackets allowed); throws when it is no IP. */
export function classifyAddress(ip: string): AddressKind {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const family = isIP(bare);
  if (family === 4) return match(v4Bytes(bare), V4);
  if (family === 6) {
    const bytes = v6Bytes(bare);
    if (startsWith(bytes, MAPPED, 96) || startsWith(bytes, NAT64, 96)) return match(bytes.slice(12), V4);
    return match(bytes, V6);
  }
  throw new Error(`not an IP address: ${ip}`);
}

function match(bytes: number[], ranges: Range[]): AddressKind {
  for (const [prefix, bits, kind] of ranges) if (startsWith(bytes, prefix, bits)) return kind;
  return 'public';
}

function startsWith(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function v4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function v6Bytes(ip: string): number[] {
  let text = ip.split('%')[0]!; // a zone id (fe80::1%eth0) is not part of the address
  let tail: number[] = [];
  const dotted = /\d+\.\d+\.\d+\.\d+$/.exec(text);
  if (dotted) {
    tail = v4Bytes(dotted[0]);
    text = text.slice(0, -dotted[0].length);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = groups(head);
  const right = groups(rest);
  const zeros = rest === undefined ? 0 : 8 - tail.length / 2 - left.length - right.length;
  const words = [...left, ...Array<string>(zeros).fill('0'), ...right].map((g) => parseInt(g, 16));
  return [...words.flatMap((w) => [w >> 8, w & 0xff]), ...tail];
}
