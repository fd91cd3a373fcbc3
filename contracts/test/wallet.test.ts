import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { Contract, Wallet, id, type EventLog, type Signer } from 'ethers';
import { deriveOwnerKey, walletPlanner, walletSalt } from '../../activities/wallet-derivation';
import { loadArtifact } from '../artifacts';
import { expectRevert } from './support/expect-revert';
import { signForwardRequest } from './support/forward-request';
import { setupCore, type CoreFixture } from './support/core-fixture';

jest.setTimeout(120_000);

const SECRET = 'wallet-contract-test-master-secret-0123456789';
const by = (c: Contract, signer: Signer) => c.connect(signer) as Contract;
const uuid = (n: number) => `00000000-0000-8000-8000-${n.toString(16).padStart(12, '0')}`;

let f: CoreFixture;
let factory: Contract;
let planner: ReturnType<typeof walletPlanner>;
const walletAt = (address: string) => new Contract(address, loadArtifact('RahatWallet').abi, f.provider);
const ownerOf = (beneficiaryId: string) => new Wallet(Buffer.from(deriveOwnerKey(SECRET, beneficiaryId)).toString('hex'), f.provider);

beforeAll(async () => {
  f = await setupCore();
  factory = new Contract(f.addresses.walletFactory, loadArtifact('RahatWalletFactory').abi, f.provider);
  planner = walletPlanner({ masterSecret: SECRET, factory: f.addresses.walletFactory, implementation: await factory.implementation() });
});
afterAll(async () => {
  await f?.teardown();
});

async function deploy(owner: string, salt: string) {
  return (await (await by(factory, f.relayer).deploy(owner, salt)).wait()) as { logs: EventLog[]; gasUsed: bigint };
}

describe('RahatWalletFactory', () => {
  it('When an address is predicted off chain, Then it equals the factory prediction and nothing is deployed there yet', async () => {
    const plan = planner.plan(uuid(1));

    expect(plan.owner).toBe(ownerOf(uuid(1)).address.toLowerCase());
    expect(await factory.walletAddress(plan.owner, plan.salt)).toBe(plan.address);
    expect(await f.provider.getCode(plan.address)).toBe('0x');
  });

  it('When tokens are sent before deployment and the wallet is deployed twice, Then code appears once at the predicted address with the derived owner and the tokens stay', async () => {
    const plan = planner.plan(uuid(2));
    await (await by(f.token, f.admin).mint(plan.address, 500n)).wait();

    const first = await deploy(plan.owner, plan.salt);
    const second = await deploy(plan.owner, plan.salt);

    expect(await f.provider.getCode(plan.address)).not.toBe('0x');
    expect((await walletAt(plan.address).owner()).toLowerCase()).toBe(plan.owner);
    expect(await f.token.balanceOf(plan.address)).toBe(500n);
    const deployed = (r: { logs: EventLog[] }) =>
      r.logs.map((l) => factory.interface.parseLog(l)).filter((l) => l?.name === 'WalletDeployed');
    expect(deployed(first)).toHaveLength(1);
    expect(deployed(second)).toHaveLength(0);
  });

  it('When the owner signs an execute request that a relayer forwards, Then the wallet transfers its tokens and the owner spends no ETH', async () => {
    const plan = planner.plan(uuid(3));
    await (await by(f.token, f.admin).mint(plan.address, 300n)).wait();
    await deploy(plan.owner, plan.salt);
    const owner = ownerOf(uuid(3));
    const wallet = walletAt(plan.address);

    const request = await signForwardRequest({
      forwarder: f.forwarder,
      signer: owner,
      to: plan.address,
      data: wallet.interface.encodeFunctionData('execute', [
        f.addresses.token,
        0n,
        f.token.interface.encodeFunctionData('transfer', [f.outsider.address, 120n]),
      ]),
    });
    const outsiderBefore: bigint = await f.token.balanceOf(f.outsider.address);
    await (await by(f.forwarder, f.relayer).execute(request)).wait();

    expect(await f.token.balanceOf(plan.address)).toBe(180n);
    expect(await f.token.balanceOf(f.outsider.address)).toBe(outsiderBefore + 120n);
    expect(await f.provider.getBalance(owner.address)).toBe(0n);
  });

  it('When anyone but the owner calls execute, directly or through the forwarder, Then it reverts NotOwner and nothing moves', async () => {
    const plan = planner.plan(uuid(4));
    await (await by(f.token, f.admin).mint(plan.address, 10n)).wait();
    await deploy(plan.owner, plan.salt);
    const wallet = walletAt(plan.address);
    const steal = wallet.interface.encodeFunctionData('execute', [
      f.addresses.token,
      0n,
      f.token.interface.encodeFunctionData('transfer', [f.outsider.address, 10n]),
    ]);

    await expectRevert(
      by(wallet, f.outsider).execute(f.addresses.token, 0n, f.token.interface.encodeFunctionData('transfer', [f.outsider.address, 10n])),
      wallet.interface,
      'NotOwner',
      [f.outsider.address],
    );
    const forwarded = await signForwardRequest({ forwarder: f.forwarder, signer: f.outsider, to: plan.address, data: steal });
    await expect(by(f.forwarder, f.relayer).execute(forwarded)).rejects.toThrow();
    expect(await f.token.balanceOf(plan.address)).toBe(10n);
  });

  it('When the owner transfers ownership, Then the new owner controls the wallet at the same address', async () => {
    const plan = planner.plan(uuid(5));
    await deploy(plan.owner, plan.salt);
    const wallet = walletAt(plan.address);
    const request = await signForwardRequest({
      forwarder: f.forwarder,
      signer: ownerOf(uuid(5)),
      to: plan.address,
      data: wallet.interface.encodeFunctionData('transferOwnership', [f.outsider.address]),
    });

    await (await by(f.forwarder, f.relayer).execute(request)).wait();

    expect(await wallet.owner()).toBe(f.outsider.address);
  });

  it('When a batch is deployed with deployMany, Then every predicted wallet exists, already deployed ones are skipped, and the gas per wallet fits a block', async () => {
    const plans = Array.from({ length: 20 }, (_, i) => planner.plan(uuid(100 + i)));
    await deploy(plans[0]!.owner, plans[0]!.salt);

    const receipt = await (
      await by(factory, f.relayer).deployMany(
        plans.map((p) => p.owner),
        plans.map((p) => p.salt),
      )
    ).wait();

    for (const p of plans) expect(await f.provider.getCode(p.address)).not.toBe('0x');
    const events = receipt.logs
      .map((l: EventLog) => factory.interface.parseLog(l))
      .filter((l: { name: string } | null) => l?.name === 'WalletDeployed');
    expect(events).toHaveLength(19);
    // activities/wallet.ts sizes deployment batches from this bound.
    expect(receipt.gasUsed / 19n).toBeLessThan(100_000n);
  });

  it('When the implementation itself is initialised, Then it refuses: only clones are wallets', async () => {
    const implementation = walletAt(await factory.implementation());

    await expectRevert(by(implementation, f.outsider).initialize(f.outsider.address), implementation.interface, 'InvalidInitialization');
  });

  it('When the salts and owners differ in length, Then deployMany reverts LengthMismatch', async () => {
    await expectRevert(by(factory, f.relayer).deployMany([f.outsider.address], []), factory.interface, 'LengthMismatch');
  });
});

describe('deployCore and the wallet factory', () => {
  it('When run again, Then the factory is reused; When the forwarder is replaced, Then a new factory trusting it is deployed', async () => {
    expect((await f.redeploy()).walletFactory).toBe(f.addresses.walletFactory);
    expect(await factory.isTrustedForwarder(f.addresses.forwarder)).toBe(true);
    const staleFile = `${f.storeFile}.wallet-stale.json`;
    await copyFile(f.storeFile, staleFile);
    const data = JSON.parse(await readFile(staleFile, 'utf8'));
    data['31337'].RahatForwarder.codeHash = id('some other code');
    await writeFile(staleFile, JSON.stringify(data));

    const fresh = await f.redeploy(staleFile);

    expect(fresh.walletFactory).not.toBe(f.addresses.walletFactory);
    const newFactory = new Contract(fresh.walletFactory, loadArtifact('RahatWalletFactory').abi, f.provider);
    expect(await newFactory.isTrustedForwarder(fresh.forwarder)).toBe(true);
    expect(walletSalt(uuid(1))).toMatch(/^0x0{32}[0-9a-f]{32}$/);
  });
});
