import { createHmac } from 'node:crypto';
import createKeccak from 'keccak';
import secp256k1 from 'secp256k1';

/**
 * Wallet addresses are computed, not looked up: the owner key is derived from
 * WALLET_MASTER_SECRET and the beneficiary id (never stored), and the wallet is the CREATE2
 * clone of RahatWalletFactory for (owner, salt). libsecp256k1 and keccak run natively (with
 * pure-JS fallbacks): a 100,000-row import derives every owner and address in seconds.
 */

export function deriveOwnerKey(masterSecret: string, beneficiaryId: string): Uint8Array {
  const key = createHmac('sha256', masterSecret).update(`wallet:${beneficiaryId}`).digest();
  // An HMAC output is a valid secp256k1 scalar except with probability ~2^-128.
  if (!secp256k1.privateKeyVerify(key)) throw new Error(`derived owner key for ${beneficiaryId} is not a valid secp256k1 key`);
  return key;
}

const keccak256 = (data: Uint8Array): Buffer => createKeccak('keccak256').update(Buffer.from(data)).digest();

/** EIP-55 mixed-case checksum of a lower-case hex address (what ethers' getAddress returns). */
export function checksummed(lowerHex: string): string {
  const hash = keccak256(Buffer.from(lowerHex, 'ascii'));
  let out = '0x';
  for (let i = 0; i < 40; i++) out += (hash[i >> 1]! >> (i % 2 ? 0 : 4)) & 8 ? lowerHex[i]!.toUpperCase() : lowerHex[i]!;
  return out;
}

/** Lower-case address of a private key: the salt hashes it as bytes, so no checksum is needed. */
export function ownerAddressOf(privateKey: Uint8Array): string {
  const publicKey = secp256k1.publicKeyCreate(privateKey, false);
  return `0x${keccak256(publicKey.subarray(1)).subarray(12).toString('hex')}`;
}

/** The per-beneficiary CREATE2 salt: the beneficiary id (a UUID) as a left-padded bytes32. */
export function walletSalt(beneficiaryId: string): string {
  return `0x${'0'.repeat(32)}${beneficiaryId.replace(/-/g, '').toLowerCase()}`;
}

// EIP-1167 minimal proxy creation code, exactly as OpenZeppelin's Clones deploys it.
const cloneInitCode = (implementation: string) =>
  `0x3d602d80600a3d3981f3363d3d373d3d3d363d73${implementation.slice(2).toLowerCase()}5af43d82803e903d91602b57fd5bf3`;

export interface SmartWalletPlan {
  owner: string;
  salt: string;
  address: string;
}

const hex = (h: string) => Buffer.from(h.slice(2), 'hex');

/**
 * Predicts wallet addresses of one factory, as RahatWalletFactory.walletAddress does on chain:
 * keccak256(0xff ‖ factory ‖ keccak256(abi.encode(owner, salt)) ‖ keccak256(initCode)). Hashes
 * raw bytes (no hex round trips): it runs once per row of a 100,000-row import.
 */
export function walletPlanner(opts: { masterSecret: string; factory: string; implementation: string }) {
  const prefix = Buffer.concat([Buffer.from([0xff]), hex(opts.factory)]);
  const initCodeHash = keccak256(hex(cloneInitCode(opts.implementation)));
  const predict = (owner: string, salt: string) => {
    const ownerSalt = keccak256(Buffer.concat([Buffer.alloc(12), hex(owner), hex(salt)]));
    return checksummed(
      keccak256(Buffer.concat([prefix, ownerSalt, initCodeHash]))
        .subarray(12)
        .toString('hex'),
    );
  };
  return {
    predict,
    plan(beneficiaryId: string): SmartWalletPlan {
      const owner = ownerAddressOf(deriveOwnerKey(opts.masterSecret, beneficiaryId));
      const salt = walletSalt(beneficiaryId);
      return { owner, salt, address: predict(owner, salt) };
    },
  };
}

export type WalletPlanner = ReturnType<typeof walletPlanner>;
