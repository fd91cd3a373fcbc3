import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Memory-hard password hashing: argon2id from @node-rs/argon2 (prebuilt binaries, no install
 * script), or scrypt (N = 2^15, 32 MiB) where that native module does not load. Both produce
 * self-describing PHC strings, so a database written by one verifies under the other.
 */

type Argon2 = { hash(p: string): Promise<string>; verify(h: string, p: string): Promise<boolean> };

function loadArgon2(): Argon2 | undefined {
  try {
    // A require, not an import: the prebuilt binary may be missing for an exotic platform.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@node-rs/argon2') as Argon2;
  } catch {
    return undefined;
  }
}

const argon2 = loadArgon2();
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLen: 32 };

function scrypt(password: string, salt: Buffer, opts: { N: number; r: number; p: number; keyLen: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: opts.N, r: opts.r, p: opts.p, maxmem: 128 * opts.N * opts.r * 2 };
  return new Promise((resolve, reject) => scryptCb(password, salt, opts.keyLen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

async function scryptHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return `$scrypt$ln=15,r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

async function scryptVerify(stored: string, password: string): Promise<boolean> {
  const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5], 'base64url');
  const N = 2 ** Number(m[1]);
  const key = await scrypt(password, Buffer.from(m[4], 'base64url'), { N, r: Number(m[2]), p: Number(m[3]), keyLen: expected.length });
  return timingSafeEqual(key, expected);
}

export const passwordHasher = argon2 ? 'argon2id' : 'scrypt';

export async function hashPassword(password: string, impl: 'argon2id' | 'scrypt' = passwordHasher): Promise<string> {
  return impl === 'argon2id' && argon2 ? argon2.hash(password) : scryptHash(password);
}

/** False for a wrong password or an unreadable hash; never throws on bad input. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    if (stored.startsWith('$scrypt$')) return await scryptVerify(stored, password);
    if (stored.startsWith('$argon2') && argon2) return await argon2.verify(stored, password);
  } catch {
    return false;
  }
  return false;
}

/** Hash of a random password: verifying against it costs as much as against a real user,
 * so a login for an unknown email takes as long as one for a known email. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('base64url'));
  return decoy;
}
