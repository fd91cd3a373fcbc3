import { Interface, dataSlice, getAddress, id, toBeHex } from 'ethers';
import { loadArtifact } from '../artifacts';
import { compileContracts } from '../compile';
import { batchKey, decodeDisburse, encodeDisburse } from '../disbursement-codec';

const alice = getAddress('0x00000000000000000000000000000000000a11ce');
const bob = getAddress('0xb0b0000000000000000000000000000000000b0b');
const call = {
  batch: batchKey('batch-1'),
  chunkId: id('chunk-1'),
  payouts: [
    { seq: 0, to: alice, amount: 10n ** 18n },
    { seq: 2 ** 32 - 1, to: bob, amount: (1n << 96n) - 1n },
    { seq: 258, to: alice, amount: 0n },
  ],
};

describe('batchKey', () => {
  it('When a batch id is keyed, Then it is keccak256 of "batch:<id>" and differs per batch', () => {
    expect(batchKey('b-42')).toBe(id('batch:b-42'));
    expect(batchKey('b-42')).not.toBe(batchKey('b-43'));
  });
});

describe('encodeDisburse / decodeDisburse', () => {
  it('When a call is encoded and decoded, Then the same batch, chunk and payouts come back in order', () => {
    expect(decodeDisburse(encodeDisburse(call))).toEqual(call);
  });

  it('When encoded, Then seqs are 4-byte big-endian and each payout word is recipient << 96 | amount', () => {
    const [batch, chunkId, seqs, words] = new Interface(['function disburse(bytes32,bytes32,bytes,bytes32[])']).decodeFunctionData(
      'disburse',
      encodeDisburse(call),
    );
    expect([batch, chunkId]).toEqual([call.batch, call.chunkId]);
    expect(seqs).toBe('0x00000000ffffffff00000102');
    expect(words).toEqual([
      `0x00000000000000000000000000000000000a11ce${toBeHex(10n ** 18n, 12).slice(2)}`,
      `${bob.toLowerCase()}ffffffffffffffffffffffff`,
      `0x00000000000000000000000000000000000a11ce000000000000000000000000`,
    ]);
  });

  it('When the compiled contract is loaded, Then its disburse selector is the one the codec encodes', async () => {
    await compileContracts();
    const selector = new Interface(loadArtifact('RahatDisbursement').abi).getFunction('disburse')?.selector;
    expect(dataSlice(encodeDisburse(call), 0, 4)).toBe(selector);
  });

  it.each([
    ['a seq of 2^32', { seq: 2 ** 32, to: alice, amount: 1n }, /payout 0: seq 4294967296 is not an integer in \[0, 2\^32\)/],
    ['a negative seq', { seq: -1, to: alice, amount: 1n }, /seq -1 is not an integer/],
    ['a fractional seq', { seq: 1.5, to: alice, amount: 1n }, /seq 1.5 is not an integer/],
    [
      'an amount of 2^96',
      { seq: 7, to: alice, amount: 1n << 96n },
      /payout 0 \(seq 7\): amount 79228162514264337593543950336 is not in \[0, 2\^96\)/,
    ],
    ['a negative amount', { seq: 7, to: alice, amount: -1n }, /amount -1 is not in/],
    ['a malformed recipient', { seq: 7, to: '0x1234', amount: 1n }, /payout 0 \(seq 7\): recipient 0x1234 is not an address/],
  ])('When a payout has %s, Then encoding throws naming the payout', (_what, payout, message) => {
    expect(() => encodeDisburse({ ...call, payouts: [payout] })).toThrow(message);
  });

  it('When calldata has fewer seq bytes than payouts need, Then decoding throws instead of misreading seqs', () => {
    const data = new Interface(['function disburse(bytes32,bytes32,bytes,bytes32[])']).encodeFunctionData('disburse', [
      call.batch,
      call.chunkId,
      '0x000000',
      [toBeHex(1n, 32)],
    ]);
    expect(() => decodeDisburse(data)).toThrow('3 seq bytes for 1 payouts (expected 4)');
  });

  it('When calldata is for another function, Then decoding throws', () => {
    const other = new Interface(['function returnToTreasury(bytes32 ref, uint256 amount)']).encodeFunctionData('returnToTreasury', [
      id('r'),
      1n,
    ]);
    expect(() => decodeDisburse(other)).toThrow();
  });
});
