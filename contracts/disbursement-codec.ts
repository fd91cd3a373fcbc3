import { Interface, concat, getAddress, id, toBeHex, zeroPadValue, type BytesLike } from 'ethers';

/** One beneficiary payment inside a chunk; `seq` is the payout's position in its batch. */
export interface PackedPayout {
  seq: number;
  to: string;
  amount: bigint;
}

export interface DisburseCall {
  /** batchKey(batchId): the namespace of the seqs' paid bits. */
  batch: string;
  chunkId: string;
  payouts: PackedPayout[];
}

// Mirrors RahatDisbursement.disburse; a contracts test checks the selector against the artifact.
const DISBURSE = new Interface(['function disburse(bytes32 batch, bytes32 chunkId, bytes seqs, bytes32[] payouts)']);
const MAX_SEQ = 2 ** 32 - 1;
const AMOUNT_LIMIT = 1n << 96n;
const AMOUNT_MASK = AMOUNT_LIMIT - 1n;

/** The on-chain key of a batch: keccak256 of the UTF-8 string `batch:<batchId>`. */
export function batchKey(batchId: string): string {
  return id(`batch:${batchId}`);
}

/**
 * Calldata for RahatDisbursement.disburse: seqs packed as 4-byte big-endian uint32s, each payout
 * as one word (recipient in the high 160 bits, uint96 amount in the low 96).
 */
export function encodeDisburse(call: DisburseCall): string {
  const seqs: string[] = [];
  const words: string[] = [];
  call.payouts.forEach((p, i) => {
    if (!Number.isInteger(p.seq) || p.seq < 0 || p.seq > MAX_SEQ) {
      throw new RangeError(`payout ${i}: seq ${p.seq} is not an integer in [0, 2^32)`);
    }
    if (p.amount < 0n || p.amount >= AMOUNT_LIMIT) {
      throw new RangeError(`payout ${i} (seq ${p.seq}): amount ${p.amount} is not in [0, 2^96)`);
    }
    let to: string;
    try {
      to = getAddress(p.to);
    } catch (err) {
      throw new TypeError(`payout ${i} (seq ${p.seq}): recipient ${p.to} is not an address`, { cause: err });
    }
    seqs.push(zeroPadValue(toBeHex(p.seq), 4));
    words.push(toBeHex((BigInt(to) << 96n) | p.amount, 32));
  });
  return DISBURSE.encodeFunctionData('disburse', [call.batch, call.chunkId, seqs.length ? concat(seqs) : '0x', words]);
}

/** Inverse of encodeDisburse, for reading back stored or mined transactions. */
export function decodeDisburse(data: BytesLike): DisburseCall {
  const [batch, chunkId, seqs, words] = DISBURSE.decodeFunctionData('disburse', data) as unknown as [string, string, string, string[]];
  const seqBytes = (seqs.length - 2) / 2;
  if (seqBytes !== 4 * words.length) {
    throw new Error(`disburse calldata: ${seqBytes} seq bytes for ${words.length} payouts (expected ${4 * words.length})`);
  }
  const payouts = words.map((w, i) => {
    const word = BigInt(w);
    return {
      seq: Number.parseInt(seqs.slice(2 + 8 * i, 10 + 8 * i), 16),
      to: getAddress(toBeHex(word >> 96n, 20)),
      amount: word & AMOUNT_MASK,
    };
  });
  return { batch, chunkId, payouts };
}
