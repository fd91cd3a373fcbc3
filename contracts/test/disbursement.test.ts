import {
  Contract,
  ContractFactory,
  Interface,
  ZeroAddress,
  ZeroHash,
  dataSlice,
  getAddress,
  id,
  parseUnits,
  type HDNodeWallet,
} from 'ethers';
import { loadArtifact } from '../artifacts';
import { batchKey, encodeDisburse, type DisburseCall, type PackedPayout } from '../disbursement-codec';
import { expectRevert } from './support/expect-revert';
import { setupCore, type CoreFixture } from './support/core-fixture';
import { by, deployDisbursement, eventsOf, mined, setupProject, type Project } from './support/project';

jest.setTimeout(120_000);

const DISBURSER_ROLE = id('DISBURSER_ROLE');
const tokens = (n: string) => parseUnits(n, 18);
/** A deterministic address nobody has used yet. */
const payee = (n: number) => getAddress(dataSlice(id(`payee:${n}`), 12));
const pay = (seq: number, to = payee(seq), amount = tokens('1')): PackedPayout => ({ seq, to, amount });

let f: CoreFixture;
let p: Project;
let d: Contract;
const ALLOWANCE = tokens('1000');
const BUDGET = tokens('100');
beforeAll(async () => {
  f = await setupCore();
  p = await setupProject(f, 'disbursement', { allowance: ALLOWANCE, budget: BUDGET });
  d = p.disbursement;
});
afterAll(async () => {
  await f?.teardown();
});

const disburse = (call: DisburseCall, signer: HDNodeWallet = f.engine) =>
  signer.sendTransaction({ to: p.address, data: encodeDisburse(call) });

/** Everything a refused disburse must leave untouched: balances, the chunk record and the seqs' bits. */
async function state(call: DisburseCall) {
  return {
    contract: (await f.token.balanceOf(p.address)) as bigint,
    recipients: await Promise.all(call.payouts.map((x) => f.token.balanceOf(x.to) as Promise<bigint>)),
    chunkPaidAt: (await d.chunkPaidAt(call.chunkId)) as bigint,
    paid: await Promise.all(call.payouts.map((x) => d.isPaid(call.batch, x.seq) as Promise<boolean>)),
  };
}

async function expectRefused(call: DisburseCall, error: string, args?: unknown[], iface: Interface = d.interface) {
  const before = await state(call);
  await expectRevert(disburse(call), iface, error, args);
  expect(await state(call)).toEqual(before);
}

describe('RahatDisbursement setup', () => {
  it('When deployed for a project, Then admin and engine hold their roles only and it points at the token, treasury and project', async () => {
    expect(await d.hasRole(ZeroHash, f.admin.address)).toBe(true);
    expect(await d.hasRole(DISBURSER_ROLE, f.engine.address)).toBe(true);
    expect(await d.hasRole(ZeroHash, f.engine.address)).toBe(false);
    expect(await d.hasRole(DISBURSER_ROLE, f.admin.address)).toBe(false);
    expect([await d.token(), await d.treasury(), await d.projectId()]).toEqual([f.addresses.token, f.addresses.treasury, p.key]);
    expect(await f.token.balanceOf(p.address)).toBe(BUDGET);
  });

  it('When the engine grants itself the admin role, Then it reverts AccessControlUnauthorizedAccount', async () => {
    await expectRevert(by(d, f.engine).grantRole(ZeroHash, f.engine.address), d.interface, 'AccessControlUnauthorizedAccount', [
      f.engine.address,
      ZeroHash,
    ]);
    expect(await d.hasRole(ZeroHash, f.engine.address)).toBe(false);
  });

  it('When the token address has no code, Then deployment reverts InvalidToken (disburse relies on it to accept empty returns)', async () => {
    const { abi, bytecode } = loadArtifact('RahatDisbursement');
    const factory = new ContractFactory(abi, bytecode, f.admin);
    await expectRevert(
      factory.deploy(f.outsider.address, f.addresses.treasury, p.key, f.admin.address, f.engine.address),
      factory.interface,
      'InvalidToken',
    );
  });
});

describe('RahatDisbursement.disburse', () => {
  const batch = batchKey('batch-A');
  const first: DisburseCall = { batch, chunkId: id('chunk-A1'), payouts: [pay(0), pay(1, payee(1), tokens('2')), pay(2, payee(2), 3n)] };

  it('When the engine pays a chunk, Then each recipient gets its amount in order, the block is recorded and ChunkPaid is the only event', async () => {
    const before = await state(first);
    const total = tokens('3') + 3n;

    const receipt = await mined(disburse(first));

    expect(await state(first)).toEqual({
      contract: before.contract - total,
      recipients: [tokens('1'), tokens('2'), 3n],
      chunkPaidAt: BigInt(receipt.blockNumber),
      paid: [true, true, true],
    });
    expect(eventsOf(receipt, d)).toEqual([{ name: 'ChunkPaid', args: [batch, first.chunkId, 3n, total] }]);
    // The token's Transfer events, in order, are the per-payout record.
    expect(eventsOf(receipt, f.token, 'Transfer').map((e) => e.args)).toEqual(first.payouts.map((x) => [p.address, x.to, x.amount]));
  });

  it('When seqs are paid, Then exactly their bits are set, across words, and only in their batch', async () => {
    const call: DisburseCall = { batch: batchKey('batch-bits'), chunkId: id('chunk-bits'), payouts: [pay(5), pay(300), pay(7), pay(255)] };
    await mined(disburse(call));

    expect(await d.paidWord(call.batch, 0)).toBe((1n << 5n) | (1n << 7n) | (1n << 255n));
    expect(await d.paidWord(call.batch, 1)).toBe(1n << 44n);
    expect(await d.paidWord(call.batch, 2)).toBe(0n);
    for (const seq of [4, 6, 8, 254, 256, 299, 301]) expect(await d.isPaid(call.batch, seq)).toBe(false);
    for (const seq of [5, 7, 255, 300]) expect(await d.isPaid(call.batch, seq)).toBe(true);
    // batch-A paid seqs 0..2; another batch's seq 0 is a different payout.
    expect(await d.isPaid(call.batch, 0)).toBe(false);
    expect(await d.paidWord(batch, 0)).toBe(0b111n);
  });

  it('When the same chunk id is sent again, Then it reverts ChunkAlreadyPaid and nothing moves', async () => {
    const replay: DisburseCall = { ...first, payouts: [pay(3)] };
    const before = await state(replay);
    await expectRevert(disburse(replay), d.interface, 'ChunkAlreadyPaid', [first.chunkId]);
    const after = await state(replay);
    expect(after).toEqual(before);
    expect(after.paid).toEqual([false]);
  });

  it('When a seq paid in one chunk comes again in a different chunk id, Then it reverts PayoutAlreadyPaid(batch, seq) and nothing moves', async () => {
    const rechunked: DisburseCall = { batch, chunkId: id('chunk-A2'), payouts: [pay(3), pay(1), pay(4)] };
    await expectRefused(rechunked, 'PayoutAlreadyPaid', [batch, 1n]);
    expect(await d.chunkPaidAt(rechunked.chunkId)).toBe(0n);
  });

  it('When one call repeats a seq, next to itself or after another word, Then it reverts PayoutAlreadyPaid and nothing moves', async () => {
    await expectRefused({ batch, chunkId: id('chunk-dup-1'), payouts: [pay(10), pay(10, payee(99))] }, 'PayoutAlreadyPaid', [batch, 10n]);
    await expectRefused({ batch, chunkId: id('chunk-dup-2'), payouts: [pay(20), pay(400), pay(20)] }, 'PayoutAlreadyPaid', [batch, 20n]);
  });

  it('When the chunk id is zero or there are no payouts, Then it reverts InvalidChunk', async () => {
    await expectRefused({ batch, chunkId: ZeroHash, payouts: [pay(30)] }, 'InvalidChunk');
    await expectRefused({ batch, chunkId: id('chunk-empty'), payouts: [] }, 'InvalidChunk');
  });

  it('When the packed seqs do not hold 4 bytes per payout, Then it reverts LengthMismatch and nothing moves', async () => {
    const before: bigint = await f.token.balanceOf(p.address);
    for (const seqs of ['0x000000', '0x0000001f00000020']) {
      const data = d.interface.encodeFunctionData('disburse', [batch, id(`chunk-len-${seqs}`), seqs, [encodedPayout(payee(31), 1n)]]);
      await expectRevert(f.engine.sendTransaction({ to: p.address, data }), d.interface, 'LengthMismatch');
    }
    expect(await f.token.balanceOf(p.address)).toBe(before);
    expect(await d.isPaid(batch, 31)).toBe(false);
  });

  it('When a recipient is the zero address, the token or the contract itself, Then it reverts InvalidRecipient(seq) and nothing moves', async () => {
    for (const [seq, to] of [
      [41, ZeroAddress],
      [42, f.addresses.token],
      [43, p.address],
    ] as const) {
      await expectRefused({ batch, chunkId: id(`chunk-bad-${seq}`), payouts: [pay(40 + seq), pay(seq, to)] }, 'InvalidRecipient', [
        BigInt(seq),
      ]);
    }
  });

  it('When the chunk costs more than the contract holds, Then the token’s ERC20InsufficientBalance surfaces and nothing moves', async () => {
    const balance: bigint = await f.token.balanceOf(p.address);
    const call: DisburseCall = { batch, chunkId: id('chunk-too-big'), payouts: [pay(50, payee(50), 1n), pay(51, payee(51), balance)] };
    await expectRefused(call, 'ERC20InsufficientBalance', [p.address, balance - 1n, balance], f.token.interface);
  });

  it('When the admin or an outsider disburses, Then it reverts AccessControlUnauthorizedAccount and nothing moves', async () => {
    for (const caller of [f.admin, f.outsider]) {
      const call: DisburseCall = { batch, chunkId: id(`chunk-by-${caller.address}`), payouts: [pay(60)] };
      const before = await state(call);
      await expectRevert(disburse(call, caller), d.interface, 'AccessControlUnauthorizedAccount', [caller.address, DISBURSER_ROLE]);
      expect(await state(call)).toEqual(before);
    }
  });

  it('When the treasury is paused, Then disburse reverts Paused and nothing moves; When unpaused, Then the same chunk pays', async () => {
    const call: DisburseCall = { batch, chunkId: id('chunk-paused'), payouts: [pay(70)] };
    await mined(by(f.treasury, f.admin).pause());
    try {
      await expectRefused(call, 'Paused');
    } finally {
      await mined(by(f.treasury, f.admin).unpause());
    }
    await mined(disburse(call));
    expect(await d.isPaid(batch, 70)).toBe(true);
  });
});

describe('RahatDisbursement.returnToTreasury', () => {
  const ref = id('return:1');

  async function ledger() {
    return {
      contract: (await f.token.balanceOf(p.address)) as bigint,
      treasury: (await f.token.balanceOf(f.addresses.treasury)) as bigint,
      allowance: (await f.treasury.allowance(p.key)) as bigint,
    };
  }

  it('When the engine returns unspent budget, Then the treasury gets it back, the allowance grows by it and the return is recorded', async () => {
    const before = await ledger();
    const amount = tokens('10');

    const receipt = await mined(by(d, f.engine).returnToTreasury(ref, amount));

    const after = await ledger();
    expect(after).toEqual({ contract: before.contract - amount, treasury: before.treasury + amount, allowance: before.allowance + amount });
    // What the project may still spend plus what it holds is conserved.
    expect(after.allowance + after.contract).toBe(before.allowance + before.contract);
    expect(await d.returnedAt(ref)).toBe(BigInt(receipt.blockNumber));
    expect(eventsOf(receipt, d)).toEqual([{ name: 'Returned', args: [ref, amount] }]);
    expect(eventsOf(receipt, f.treasury)).toEqual([{ name: 'AllowanceRestored', args: [p.key, amount] }]);
  });

  it('When the returned budget is released again, Then the restored allowance covers it exactly', async () => {
    const left: bigint = await f.treasury.allowance(p.key);
    expect(left).toBe(ALLOWANCE - BUDGET + tokens('10'));
    await mined(by(f.treasury, f.engine).release(p.key, f.addresses.token, p.address, left, id('budget:again')));
    expect(await f.treasury.allowance(p.key)).toBe(0n);
  });

  it('When the same return ref comes again, Then it reverts AlreadyReturned and nothing moves', async () => {
    const before = await ledger();
    await expectRevert(by(d, f.engine).returnToTreasury(ref, 1n), d.interface, 'AlreadyReturned', [ref]);
    expect(await ledger()).toEqual(before);
  });

  it('When the return ref is zero, Then it reverts InvalidRef and nothing moves', async () => {
    const before = await ledger();
    await expectRevert(by(d, f.engine).returnToTreasury(ZeroHash, 1n), d.interface, 'InvalidRef');
    expect(await ledger()).toEqual(before);
  });

  it('When the admin or an outsider returns budget, Then it reverts AccessControlUnauthorizedAccount and nothing moves', async () => {
    const before = await ledger();
    for (const caller of [f.admin, f.outsider]) {
      await expectRevert(by(d, caller).returnToTreasury(id('return:stranger'), 1n), d.interface, 'AccessControlUnauthorizedAccount', [
        caller.address,
        DISBURSER_ROLE,
      ]);
    }
    expect(await ledger()).toEqual(before);
  });

  it('When the treasury is paused, Then budget can still come back (returning money is never the risk)', async () => {
    const before = await ledger();
    await mined(by(f.treasury, f.admin).pause());
    try {
      await mined(by(d, f.engine).returnToTreasury(id('return:paused'), 1n));
    } finally {
      await mined(by(f.treasury, f.admin).unpause());
    }
    expect(await ledger()).toEqual({ contract: before.contract - 1n, treasury: before.treasury + 1n, allowance: before.allowance + 1n });
  });

  it('When a disbursement contract the treasury never registered returns budget, Then restoreAllowance refuses it and nothing moves', async () => {
    // Same project key and roles as the real one, but not the registered contract.
    const rogue = await deployDisbursement(f, p.key);
    const rogueAddress = await rogue.getAddress();
    await mined(by(f.token, f.admin).mint(rogueAddress, 5n));
    const before = { ...(await ledger()), rogue: (await f.token.balanceOf(rogueAddress)) as bigint };

    await expectRevert(by(rogue, f.engine).returnToTreasury(id('return:rogue'), 5n), f.treasury.interface, 'NotProjectDisbursement', [
      rogueAddress,
    ]);

    expect({ ...(await ledger()), rogue: (await f.token.balanceOf(rogueAddress)) as bigint }).toEqual(before);
    expect(await rogue.returnedAt(id('return:rogue'))).toBe(0n);
  });
});

function encodedPayout(to: string, amount: bigint): string {
  return `0x${to.slice(2).toLowerCase()}${amount.toString(16).padStart(24, '0')}`;
}
