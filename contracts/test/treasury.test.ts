import { ZeroAddress, ZeroHash, id, parseUnits } from 'ethers';
import { expectRevert } from './support/expect-revert';
import { signForwardRequest } from './support/forward-request';
import { setupCore, type CoreFixture } from './support/core-fixture';
import { by, eventsOf, mined } from './support/project';

jest.setTimeout(120_000);

const DISBURSER_ROLE = id('DISBURSER_ROLE');
const PAUSER_ROLE = id('PAUSER_ROLE');
const ADMIN_ROLE = ZeroHash;
const tokens = (n: string) => parseUnits(n, 18);

let f: CoreFixture;
beforeAll(async () => {
  f = await setupCore();
});
afterAll(async () => {
  await f?.teardown();
});

/** Everything a refused call must leave untouched. */
async function state(project: string, to: string) {
  return {
    treasury: (await f.token.balanceOf(f.addresses.treasury)) as bigint,
    recipient: (await f.token.balanceOf(to)) as bigint,
    allowance: (await f.treasury.allowance(project)) as bigint,
  };
}

const release = (project: string, to: string, amount: bigint, ref: string) =>
  by(f.treasury, f.engine).release(project, f.addresses.token, to, amount, ref);

describe('RahatTreasury allowances', () => {
  const project = id('project:allowances');

  it('When the admin increases an allowance, Then it grows by the amount, the ref is applied at that block and AllowanceChanged carries the new allowance', async () => {
    const ref = id('allowance:increase-1');
    const receipt = await mined(by(f.treasury, f.admin).increaseAllowance(project, tokens('100'), ref));
    await mined(by(f.treasury, f.admin).increaseAllowance(project, tokens('20'), id('allowance:increase-2')));

    expect(await f.treasury.allowance(project)).toBe(tokens('120'));
    expect(await f.treasury.appliedAt(ref)).toBe(BigInt(receipt.blockNumber));
    expect(eventsOf(receipt, f.treasury)).toEqual([{ name: 'AllowanceChanged', args: [project, ref, tokens('100')] }]);
  });

  it('When the admin decreases an allowance, Then it shrinks by the amount and AllowanceChanged carries what is left', async () => {
    const ref = id('allowance:decrease-1');
    const receipt = await mined(by(f.treasury, f.admin).decreaseAllowance(project, tokens('30'), ref));

    expect(await f.treasury.allowance(project)).toBe(tokens('90'));
    expect(await f.treasury.appliedAt(ref)).toBe(BigInt(receipt.blockNumber));
    expect(eventsOf(receipt, f.treasury)).toEqual([{ name: 'AllowanceChanged', args: [project, ref, tokens('90')] }]);
  });

  it('When an applied ref is sent again, to increase or to decrease, Then it reverts AlreadyApplied and the allowance is unchanged', async () => {
    for (const [fn, ref] of [
      ['increaseAllowance', id('allowance:increase-1')],
      ['decreaseAllowance', id('allowance:increase-1')],
      ['increaseAllowance', id('allowance:decrease-1')],
    ] as const) {
      await expectRevert(by(f.treasury, f.admin)[fn](project, 1n, ref), f.treasury.interface, 'AlreadyApplied', [ref]);
    }
    expect(await f.treasury.allowance(project)).toBe(tokens('90'));
  });

  it('When the ref is zero, Then both allowance changes revert InvalidRef and the allowance is unchanged', async () => {
    await expectRevert(by(f.treasury, f.admin).increaseAllowance(project, 1n, ZeroHash), f.treasury.interface, 'InvalidRef');
    await expectRevert(by(f.treasury, f.admin).decreaseAllowance(project, 1n, ZeroHash), f.treasury.interface, 'InvalidRef');
    expect(await f.treasury.allowance(project)).toBe(tokens('90'));
  });

  it('When a decrease exceeds the allowance, Then it reverts AllowanceExceeded(project, allowance, amount) and the ref stays unused', async () => {
    const ref = id('allowance:too-much');
    await expectRevert(by(f.treasury, f.admin).decreaseAllowance(project, tokens('91'), ref), f.treasury.interface, 'AllowanceExceeded', [
      project,
      tokens('90'),
      tokens('91'),
    ]);
    expect(await f.treasury.allowance(project)).toBe(tokens('90'));
    expect(await f.treasury.appliedAt(ref)).toBe(0n);
  });

  it('When the engine or an outsider changes an allowance, Then it reverts AccessControlUnauthorizedAccount for the admin role', async () => {
    for (const caller of [f.engine, f.outsider]) {
      for (const fn of ['increaseAllowance', 'decreaseAllowance'] as const) {
        await expectRevert(
          by(f.treasury, caller)[fn](project, 1n, id(`allowance:${caller.address}:${fn}`)),
          f.treasury.interface,
          'AccessControlUnauthorizedAccount',
          [caller.address, ADMIN_ROLE],
        );
      }
    }
    expect(await f.treasury.allowance(project)).toBe(tokens('90'));
  });
});

describe('RahatTreasury.release', () => {
  const project = id('project:release');
  const other = id('project:other');
  const ref = id('payout-0001');
  const amount = tokens('25');
  let receiptBlock: number;

  beforeAll(async () => {
    await mined(by(f.treasury, f.admin).increaseAllowance(project, tokens('100'), id('release:allowance')));
    await mined(by(f.treasury, f.admin).increaseAllowance(other, tokens('5'), id('release:other-allowance')));
  });

  it('When the engine releases a new ref within the allowance, Then the beneficiary is paid, the allowance shrinks, the block is recorded and Released is emitted', async () => {
    const to = f.outsider.address;
    const before = await state(project, to);

    const receipt = await mined(release(project, to, amount, ref));
    receiptBlock = receipt.blockNumber;

    expect(await state(project, to)).toEqual({
      treasury: before.treasury - amount,
      recipient: before.recipient + amount,
      allowance: before.allowance - amount,
    });
    expect(await f.treasury.releasedAt(ref)).toBe(BigInt(receipt.blockNumber));
    expect(await f.treasury.released(ref)).toBe(true);
    expect(eventsOf(receipt, f.treasury)).toEqual([{ name: 'Released', args: [ref, project, to, f.addresses.token, amount] }]);
    // Allowances are per project.
    expect(await f.treasury.allowance(other)).toBe(tokens('5'));
  });

  it('When the same ref is released again, Then it reverts AlreadyReleased, nothing moves and the recorded block stays', async () => {
    const before = await state(project, f.outsider.address);
    await expectRevert(release(project, f.outsider.address, amount, ref), f.treasury.interface, 'AlreadyReleased', [ref]);
    expect(await state(project, f.outsider.address)).toEqual(before);
    expect(await f.treasury.releasedAt(ref)).toBe(BigInt(receiptBlock));
  });

  it('When the ref is zero, Then release reverts InvalidRef and nothing moves', async () => {
    const before = await state(project, f.outsider.address);
    await expectRevert(release(project, f.outsider.address, 1n, ZeroHash), f.treasury.interface, 'InvalidRef');
    expect(await state(project, f.outsider.address)).toEqual(before);
  });

  it('When the recipient is the zero address, the treasury or the token, Then release reverts InvalidRecipient and nothing moves', async () => {
    for (const to of [ZeroAddress, f.addresses.treasury, f.addresses.token]) {
      const before = await state(project, to);
      const r = id(`bad-recipient:${to}`);
      await expectRevert(release(project, to, 1n, r), f.treasury.interface, 'InvalidRecipient', [to]);
      expect(await state(project, to)).toEqual(before);
      expect(await f.treasury.released(r)).toBe(false);
    }
  });

  it('When the amount exceeds what is left of the allowance, Then it reverts AllowanceExceeded(project, left, amount), nothing moves and the ref stays unused', async () => {
    const before = await state(project, f.outsider.address);
    const r = id('payout-over');
    await expectRevert(release(project, f.outsider.address, tokens('75') + 1n, r), f.treasury.interface, 'AllowanceExceeded', [
      project,
      tokens('75'),
      tokens('75') + 1n,
    ]);
    expect(await state(project, f.outsider.address)).toEqual(before);
    expect(await f.treasury.released(r)).toBe(false);
  });

  it('When a project has no allowance, Then even one wei reverts AllowanceExceeded, though the treasury holds funds', async () => {
    const empty = id('project:never-allowed');
    await expectRevert(release(empty, f.outsider.address, 1n, id('payout-empty')), f.treasury.interface, 'AllowanceExceeded', [
      empty,
      0n,
      1n,
    ]);
  });

  it('When the allowance is spent exactly, Then the release succeeds and leaves zero', async () => {
    await mined(release(other, f.outsider.address, tokens('5'), id('payout-exact')));
    expect(await f.treasury.allowance(other)).toBe(0n);
  });

  it('When the admin or an outsider releases, Then it reverts AccessControlUnauthorizedAccount for DISBURSER_ROLE and the ref stays unused', async () => {
    const r = id('payout-0002');
    for (const caller of [f.admin, f.outsider]) {
      await expectRevert(
        by(f.treasury, caller).release(project, f.addresses.token, caller.address, 1n, r),
        f.treasury.interface,
        'AccessControlUnauthorizedAccount',
        [caller.address, DISBURSER_ROLE],
      );
    }
    expect(await f.treasury.released(r)).toBe(false);
  });

  it('When the engine key signs a release that a relayer forwards, Then the treasury sees the engine as the sender and pays', async () => {
    const r = id('payout-forwarded');
    const before = await state(project, f.holder.address);
    const request = await signForwardRequest({
      forwarder: f.forwarder,
      signer: f.engine,
      to: f.addresses.treasury,
      data: f.treasury.interface.encodeFunctionData('release', [project, f.addresses.token, f.holder.address, 3n, r]),
    });
    await mined(by(f.forwarder, f.relayer).execute(request));
    expect((await state(project, f.holder.address)).recipient).toBe(before.recipient + 3n);
    expect(await f.treasury.released(r)).toBe(true);
  });
});

describe('RahatTreasury pause', () => {
  const project = id('project:pause');

  beforeAll(async () => {
    await mined(by(f.treasury, f.admin).increaseAllowance(project, tokens('10'), id('pause:allowance')));
  });

  it('When the engine or an outsider pauses, Then it reverts AccessControlUnauthorizedAccount for PAUSER_ROLE and releases still work', async () => {
    for (const caller of [f.engine, f.outsider]) {
      await expectRevert(by(f.treasury, caller).pause(), f.treasury.interface, 'AccessControlUnauthorizedAccount', [
        caller.address,
        PAUSER_ROLE,
      ]);
    }
    expect(await f.treasury.paused()).toBe(false);
  });

  it('When the admin pauses, Then a release reverts EnforcedPause, nothing moves and the engine cannot unpause', async () => {
    const receipt = await mined(by(f.treasury, f.admin).pause());
    expect(eventsOf(receipt, f.treasury)).toEqual([{ name: 'Paused', args: [f.admin.address] }]);
    const before = await state(project, f.outsider.address);
    const r = id('pause:payout');

    await expectRevert(release(project, f.outsider.address, 1n, r), f.treasury.interface, 'EnforcedPause');
    await expectRevert(by(f.treasury, f.engine).unpause(), f.treasury.interface, 'AccessControlUnauthorizedAccount', [
      f.engine.address,
      PAUSER_ROLE,
    ]);

    expect(await state(project, f.outsider.address)).toEqual(before);
    expect(await f.treasury.released(r)).toBe(false);
    expect(await f.treasury.paused()).toBe(true);
  });

  it('When the admin unpauses, Then the same release goes through', async () => {
    await mined(by(f.treasury, f.admin).unpause());
    const r = id('pause:payout');
    await mined(release(project, f.outsider.address, 1n, r));
    expect(await f.treasury.released(r)).toBe(true);
  });
});

describe('RahatTreasury disbursement registry', () => {
  const project = id('project:registry');
  const stranger = id('project:stranger');

  it('When the admin registers a disbursement, Then disbursementOf records it and DisbursementRegistered is emitted', async () => {
    const receipt = await mined(by(f.treasury, f.admin).registerDisbursement(project, f.relayer.address));
    expect(await f.treasury.disbursementOf(project)).toBe(f.relayer.address);
    expect(eventsOf(receipt, f.treasury)).toEqual([{ name: 'DisbursementRegistered', args: [project, f.relayer.address] }]);
  });

  it('When the engine or an outsider registers a disbursement, Then it reverts AccessControlUnauthorizedAccount and the registry is unchanged', async () => {
    for (const caller of [f.engine, f.outsider]) {
      await expectRevert(
        by(f.treasury, caller).registerDisbursement(project, caller.address),
        f.treasury.interface,
        'AccessControlUnauthorizedAccount',
        [caller.address, ADMIN_ROLE],
      );
    }
    expect(await f.treasury.disbursementOf(project)).toBe(f.relayer.address);
  });

  it('When the registered disbursement restores allowance, Then the allowance grows by the amount and AllowanceRestored is emitted', async () => {
    const receipt = await mined(by(f.treasury, f.relayer).restoreAllowance(project, 40n));
    expect(await f.treasury.allowance(project)).toBe(40n);
    expect(eventsOf(receipt, f.treasury)).toEqual([{ name: 'AllowanceRestored', args: [project, 40n] }]);
  });

  it('When anyone else restores allowance, including the engine, the admin and another project’s disbursement, Then it reverts NotProjectDisbursement', async () => {
    for (const caller of [f.engine, f.admin, f.outsider]) {
      await expectRevert(by(f.treasury, caller).restoreAllowance(project, 1n), f.treasury.interface, 'NotProjectDisbursement', [
        caller.address,
      ]);
    }
    // Registered for `project` only: it cannot mint allowance for a project it does not serve.
    await expectRevert(by(f.treasury, f.relayer).restoreAllowance(stranger, 1n), f.treasury.interface, 'NotProjectDisbursement', [
      f.relayer.address,
    ]);
    expect(await f.treasury.allowance(project)).toBe(40n);
    expect(await f.treasury.allowance(stranger)).toBe(0n);
  });
});

describe('RahatTreasury administration', () => {
  it('When the admin withdraws, Then funds move to the chosen address; When anyone else withdraws, Then it reverts', async () => {
    const before: bigint = await f.token.balanceOf(f.admin.address);
    await mined(by(f.treasury, f.admin).withdraw(f.addresses.token, f.admin.address, 7n));
    expect(await f.token.balanceOf(f.admin.address)).toBe(before + 7n);
    const treasuryBefore: bigint = await f.token.balanceOf(f.addresses.treasury);
    for (const caller of [f.engine, f.outsider, f.deployer]) {
      await expectRevert(
        by(f.treasury, caller).withdraw(f.addresses.token, caller.address, 1n),
        f.treasury.interface,
        'AccessControlUnauthorizedAccount',
        [caller.address, ADMIN_ROLE],
      );
    }
    expect(await f.token.balanceOf(f.addresses.treasury)).toBe(treasuryBefore);
  });

  it('When the engine grants itself any role, Then it reverts for lack of the admin role and holds nothing new', async () => {
    for (const role of [ADMIN_ROLE, PAUSER_ROLE, DISBURSER_ROLE]) {
      await expectRevert(
        by(f.treasury, f.engine).grantRole(role, f.engine.address),
        f.treasury.interface,
        'AccessControlUnauthorizedAccount',
        [f.engine.address, ADMIN_ROLE],
      );
    }
    for (const role of [ADMIN_ROLE, PAUSER_ROLE]) expect(await f.treasury.hasRole(role, f.engine.address)).toBe(false);
  });
});
