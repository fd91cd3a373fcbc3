import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { Contract, ZeroHash, id, parseUnits, type EventLog, type Signer } from 'ethers';
import { expectRevert } from './support/expect-revert';
import { signForwardRequest } from './support/forward-request';
import { INITIAL_SUPPLY, setupCore, type CoreFixture } from './support/core-fixture';

jest.setTimeout(120_000);

const MINTER_ROLE = id('MINTER_ROLE');
const DISBURSER_ROLE = id('DISBURSER_ROLE');
const by = (c: Contract, signer: Signer) => c.connect(signer) as Contract;

let f: CoreFixture;
beforeAll(async () => {
  f = await setupCore();
});
afterAll(async () => {
  await f?.teardown();
});

describe('deployCore', () => {
  it('When deployed fresh, Then the engine holds the operating roles, admin is handed over and the treasury is funded', async () => {
    expect(await f.token.hasRole(MINTER_ROLE, f.engine.address)).toBe(true);
    expect(await f.treasury.hasRole(DISBURSER_ROLE, f.engine.address)).toBe(true);
    expect(await f.token.hasRole(ZeroHash, f.admin.address)).toBe(true);
    expect(await f.treasury.hasRole(ZeroHash, f.admin.address)).toBe(true);
    // The deployer's temporary powers must not outlive setup.
    expect(await f.token.hasRole(ZeroHash, f.deployer.address)).toBe(false);
    expect(await f.token.hasRole(MINTER_ROLE, f.deployer.address)).toBe(false);
    expect(await f.treasury.hasRole(ZeroHash, f.deployer.address)).toBe(false);
    expect(await f.token.balanceOf(f.addresses.treasury)).toBe(INITIAL_SUPPLY);
    expect(await f.token.isTrustedForwarder(f.addresses.forwarder)).toBe(true);
  });

  it('When run again with the same store, Then it reuses every address and sends no transaction', async () => {
    const nonceBefore = await f.provider.getTransactionCount(f.deployer.address);
    const blockBefore = await f.provider.getBlockNumber();
    expect(await f.redeploy()).toEqual(f.addresses);
    expect(await f.provider.getTransactionCount(f.deployer.address)).toBe(nonceBefore);
    expect(await f.provider.getBlockNumber()).toBe(blockBefore);
  });

  it('When the recorded code hash no longer matches the chain, Then it redeploys instead of trusting the record', async () => {
    const staleFile = `${f.storeFile}.stale.json`;
    await copyFile(f.storeFile, staleFile);
    const data = JSON.parse(await readFile(staleFile, 'utf8'));
    data['31337'].RahatForwarder.codeHash = id('some other code');
    await writeFile(staleFile, JSON.stringify(data));
    const fresh = await f.redeploy(staleFile);
    expect(fresh.forwarder).not.toBe(f.addresses.forwarder);
    // Token and treasury trust the old forwarder, so they must follow it.
    expect(fresh.token).not.toBe(f.addresses.token);
    expect(fresh.treasury).not.toBe(f.addresses.treasury);
  });
});

describe('RahatToken', () => {
  it('When the engine (MINTER_ROLE) mints, Then the recipient balance grows by the amount', async () => {
    const before: bigint = await f.token.balanceOf(f.outsider.address);
    await (await by(f.token, f.engine).mint(f.outsider.address, 5n)).wait();
    expect(await f.token.balanceOf(f.outsider.address)).toBe(before + 5n);
  });

  it('When an account without MINTER_ROLE mints, Then it reverts AccessControlUnauthorizedAccount and supply is unchanged', async () => {
    const supply: bigint = await f.token.totalSupply();
    for (const caller of [f.outsider, f.admin]) {
      await expectRevert(by(f.token, caller).mint(caller.address, 1n), f.token.interface, 'AccessControlUnauthorizedAccount', [
        caller.address,
        MINTER_ROLE,
      ]);
    }
    expect(await f.token.totalSupply()).toBe(supply);
  });
});

describe('RahatTreasury', () => {
  const ref = id('payout-0001');
  const amount = parseUnits('25', 18);

  it('When the disburser releases a new ref, Then the beneficiary is paid, the ref is recorded and Released is emitted', async () => {
    const beneficiary = f.outsider.address;
    const before: bigint = await f.token.balanceOf(beneficiary);
    const receipt = await (await by(f.treasury, f.engine).release(f.addresses.token, beneficiary, amount, ref)).wait();
    expect(await f.token.balanceOf(beneficiary)).toBe(before + amount);
    expect(await f.treasury.released(ref)).toBe(true);
    const event = receipt.logs.find((l: EventLog) => l.fragment?.name === 'Released') as EventLog | undefined;
    expect(event?.args.toArray()).toEqual([ref, f.addresses.token, beneficiary, amount]);
  });

  it('When the same ref is released again, Then it reverts AlreadyReleased and no funds move', async () => {
    const treasuryBefore: bigint = await f.token.balanceOf(f.addresses.treasury);
    await expectRevert(
      by(f.treasury, f.engine).release(f.addresses.token, f.outsider.address, amount, ref),
      f.treasury.interface,
      'AlreadyReleased',
      [ref],
    );
    expect(await f.token.balanceOf(f.addresses.treasury)).toBe(treasuryBefore);
  });

  it('When a non-disburser releases, Then it reverts AccessControlUnauthorizedAccount and the ref stays unused', async () => {
    const other = id('payout-0002');
    await expectRevert(
      by(f.treasury, f.outsider).release(f.addresses.token, f.outsider.address, amount, other),
      f.treasury.interface,
      'AccessControlUnauthorizedAccount',
      [f.outsider.address, DISBURSER_ROLE],
    );
    expect(await f.treasury.released(other)).toBe(false);
  });

  it('When the ref is zero, Then release reverts InvalidRef', async () => {
    await expectRevert(
      by(f.treasury, f.engine).release(f.addresses.token, f.outsider.address, 1n, ZeroHash),
      f.treasury.interface,
      'InvalidRef',
    );
  });

  it('When the admin withdraws, Then funds return; When anyone else withdraws, Then it reverts', async () => {
    const before: bigint = await f.token.balanceOf(f.admin.address);
    await (await by(f.treasury, f.admin).withdraw(f.addresses.token, f.admin.address, 7n)).wait();
    expect(await f.token.balanceOf(f.admin.address)).toBe(before + 7n);
    for (const caller of [f.engine, f.outsider, f.deployer]) {
      await expectRevert(
        by(f.treasury, caller).withdraw(f.addresses.token, caller.address, 1n),
        f.treasury.interface,
        'AccessControlUnauthorizedAccount',
        [caller.address, ZeroHash],
      );
    }
  });
});

describe('RahatForwarder (ERC-2771)', () => {
  it('When a holder signs a transfer and a relayer executes it, Then the token debits the holder, not the relayer', async () => {
    await (await by(f.token, f.engine).mint(f.holder.address, 100n)).wait();
    const recipient = f.outsider.address;
    const recipientBefore: bigint = await f.token.balanceOf(recipient);
    const request = await signForwardRequest({
      forwarder: f.forwarder,
      signer: f.holder,
      to: f.addresses.token,
      data: f.token.interface.encodeFunctionData('transfer', [recipient, 40n]),
    });
    const receipt = await (await by(f.forwarder, f.relayer).execute(request)).wait();

    expect(await f.token.balanceOf(f.holder.address)).toBe(60n);
    expect(await f.token.balanceOf(recipient)).toBe(recipientBefore + 40n);
    expect(await f.token.balanceOf(f.relayer.address)).toBe(0n);
    expect(await f.provider.getBalance(f.holder.address)).toBe(0n);
    const transfer = receipt.logs
      .map((l: { topics: string[]; data: string }) => f.token.interface.parseLog(l))
      .find((l: { name: string } | null) => l?.name === 'Transfer');
    expect(transfer?.args.toArray()).toEqual([f.holder.address, recipient, 40n]);
  });

  it('When a request claims a from that did not sign it, Then execute reverts ERC2771ForwarderInvalidSigner', async () => {
    const request = await signForwardRequest({
      forwarder: f.forwarder,
      signer: f.outsider,
      from: f.holder.address,
      to: f.addresses.token,
      data: f.token.interface.encodeFunctionData('transfer', [f.outsider.address, 1n]),
    });
    await expectRevert(by(f.forwarder, f.relayer).execute(request), f.forwarder.interface, 'ERC2771ForwarderInvalidSigner', [
      f.outsider.address,
      f.holder.address,
    ]);
  });
});
