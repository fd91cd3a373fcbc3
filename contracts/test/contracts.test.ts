import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { ZeroHash, id } from 'ethers';
import { fileDeploymentStore } from '../deploy';
import { expectRevert } from './support/expect-revert';
import { signForwardRequest } from './support/forward-request';
import { INITIAL_SUPPLY, setupCore, type CoreFixture } from './support/core-fixture';
import { by, mined } from './support/project';

jest.setTimeout(120_000);

const MINTER_ROLE = id('MINTER_ROLE');
const DISBURSER_ROLE = id('DISBURSER_ROLE');
const PAUSER_ROLE = id('PAUSER_ROLE');

let f: CoreFixture;
beforeAll(async () => {
  f = await setupCore();
});
afterAll(async () => {
  await f?.teardown();
});

describe('deployCore', () => {
  it('When deployed fresh, Then the engine holds only DISBURSER_ROLE, the admin holds minting, pausing and admin, and the treasury is funded', async () => {
    const { token, treasury, engine, admin, deployer } = f;
    expect(await treasury.hasRole(DISBURSER_ROLE, engine.address)).toBe(true);
    // The hot key must not be able to create money, pause, or give itself an allowance.
    expect(await token.hasRole(MINTER_ROLE, engine.address)).toBe(false);
    expect(await token.hasRole(ZeroHash, engine.address)).toBe(false);
    expect(await treasury.hasRole(ZeroHash, engine.address)).toBe(false);
    expect(await treasury.hasRole(PAUSER_ROLE, engine.address)).toBe(false);
    expect(await token.hasRole(MINTER_ROLE, admin.address)).toBe(true);
    expect(await token.hasRole(ZeroHash, admin.address)).toBe(true);
    expect(await treasury.hasRole(ZeroHash, admin.address)).toBe(true);
    expect(await treasury.hasRole(PAUSER_ROLE, admin.address)).toBe(true);
    expect(await treasury.hasRole(DISBURSER_ROLE, admin.address)).toBe(false);
    // The deployer's temporary powers must not outlive setup.
    for (const role of [ZeroHash, MINTER_ROLE]) expect(await token.hasRole(role, deployer.address)).toBe(false);
    for (const role of [ZeroHash, PAUSER_ROLE, DISBURSER_ROLE]) expect(await treasury.hasRole(role, deployer.address)).toBe(false);
    expect(await token.balanceOf(f.addresses.treasury)).toBe(INITIAL_SUPPLY);
    expect(await token.isTrustedForwarder(f.addresses.forwarder)).toBe(true);
    expect(await treasury.isTrustedForwarder(f.addresses.forwarder)).toBe(true);
  });

  it('When deployed fresh, Then each record carries the block its contract was created in', async () => {
    const records = JSON.parse(await readFile(f.storeFile, 'utf8'))['31337'];
    const names = ['RahatForwarder', 'RahatToken', 'RahatTreasury', 'RahatWalletFactory'];
    expect(Object.keys(records).sort()).toEqual([...names].sort());
    for (const name of names) {
      const { address, blockNumber } = records[name];
      expect(typeof blockNumber).toBe('number');
      expect(await f.provider.getCode(address, blockNumber - 1)).toBe('0x');
      expect(await f.provider.getCode(address, blockNumber)).not.toBe('0x');
    }
    expect((await fileDeploymentStore(f.storeFile).load(31337)).RahatTreasury?.blockNumber).toBe(records.RahatTreasury.blockNumber);
  });

  it('When run again with the same store, Then it reuses every address and sends no transaction', async () => {
    const nonceBefore = await f.provider.getTransactionCount(f.deployer.address);
    const blockBefore = await f.provider.getBlockNumber();
    expect(await f.redeploy()).toEqual(f.addresses);
    expect(await f.provider.getTransactionCount(f.deployer.address)).toBe(nonceBefore);
    expect(await f.provider.getBlockNumber()).toBe(blockBefore);
  });

  it('When the engine still holds MINTER_ROLE and the deployer no longer administers, Then deployCore refuses, naming the role to revoke', async () => {
    await mined(by(f.token, f.admin).grantRole(MINTER_ROLE, f.engine.address));

    await expect(f.redeploy()).rejects.toThrow(`revoke ${MINTER_ROLE} from ${f.engine.address} on RahatToken`);
    expect(await f.token.hasRole(MINTER_ROLE, f.engine.address)).toBe(true);
  });

  it('When an older deployment left MINTER_ROLE with the engine, Then deployCore run by the admin revokes it, reusing every contract', async () => {
    expect(await f.token.hasRole(MINTER_ROLE, f.engine.address)).toBe(true); // left by the previous test
    const supply: bigint = await f.token.totalSupply();

    expect(await f.redeploy(f.storeFile, f.admin)).toEqual(f.addresses);

    expect(await f.token.hasRole(MINTER_ROLE, f.engine.address)).toBe(false);
    expect(await f.token.hasRole(MINTER_ROLE, f.admin.address)).toBe(true);
    expect(await f.token.totalSupply()).toBe(supply);
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
  it('When the admin (MINTER_ROLE) mints, Then the recipient balance and the supply grow by the amount', async () => {
    const before: bigint = await f.token.balanceOf(f.outsider.address);
    const supply: bigint = await f.token.totalSupply();
    await mined(by(f.token, f.admin).mint(f.outsider.address, 5n));
    expect(await f.token.balanceOf(f.outsider.address)).toBe(before + 5n);
    expect(await f.token.totalSupply()).toBe(supply + 5n);
  });

  it('When the engine or an outsider mints, Then it reverts AccessControlUnauthorizedAccount and supply is unchanged', async () => {
    const supply: bigint = await f.token.totalSupply();
    for (const caller of [f.engine, f.outsider]) {
      await expectRevert(by(f.token, caller).mint(caller.address, 1n), f.token.interface, 'AccessControlUnauthorizedAccount', [
        caller.address,
        MINTER_ROLE,
      ]);
    }
    expect(await f.token.totalSupply()).toBe(supply);
  });

  it('When the engine grants itself MINTER_ROLE, Then it reverts for lack of the admin role and it still cannot mint', async () => {
    await expectRevert(
      by(f.token, f.engine).grantRole(MINTER_ROLE, f.engine.address),
      f.token.interface,
      'AccessControlUnauthorizedAccount',
      [f.engine.address, ZeroHash],
    );
    expect(await f.token.hasRole(MINTER_ROLE, f.engine.address)).toBe(false);
  });
});

describe('RahatForwarder (ERC-2771)', () => {
  it('When a holder signs a transfer and a relayer executes it, Then the token debits the holder, not the relayer', async () => {
    await mined(by(f.token, f.admin).mint(f.holder.address, 100n));
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
