import { getAddress } from 'ethers';
import type { ActivityDeps } from './deps';
import { deriveWalletAddress, walletActivities } from './wallet';

const SECRET = 'a-test-wallet-master-secret-of-32+chars';
const OTHER_SECRET = 'another-test-wallet-master-secret-32+';
const BENEFICIARY = '5d1b7a0e-3c2f-8a41-9b6d-0f2e4c6a8b10';

function fakeDeps() {
  const upsert = jest.fn().mockResolvedValue({});
  const deps = {
    prisma: { wallet: { upsert } },
    chain: {},
    logger: {},
    config: { walletMasterSecret: SECRET, confirmations: 1 },
  } as unknown as ActivityDeps;
  return { deps, upsert };
}

describe('deriveWalletAddress', () => {
  it('When derived twice for the same secret and id, Then the address is the same', () => {
    expect(deriveWalletAddress(SECRET, BENEFICIARY)).toBe(deriveWalletAddress(SECRET, BENEFICIARY));
  });

  it('When the beneficiary id differs, Then the address differs', () => {
    expect(deriveWalletAddress(SECRET, BENEFICIARY)).not.toBe(deriveWalletAddress(SECRET, `${BENEFICIARY.slice(0, -1)}1`));
  });

  it('When the master secret differs, Then the address differs', () => {
    expect(deriveWalletAddress(SECRET, BENEFICIARY)).not.toBe(deriveWalletAddress(OTHER_SECRET, BENEFICIARY));
  });

  it('When derived, Then it is a checksummed 20-byte address', () => {
    const address = deriveWalletAddress(SECRET, BENEFICIARY);

    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(getAddress(address)).toBe(address);
  });
});

describe('wallet activities', () => {
  it('When createWallet runs, Then it returns the address derived from the configured secret', async () => {
    const { deps } = fakeDeps();

    const result = await walletActivities(deps).createWallet({ beneficiaryId: BENEFICIARY });

    expect(result).toEqual({ address: deriveWalletAddress(SECRET, BENEFICIARY) });
  });

  it('When storeWallet runs, Then it upserts by beneficiary and never overwrites an existing address', async () => {
    const { deps, upsert } = fakeDeps();
    const address = deriveWalletAddress(SECRET, BENEFICIARY);

    await walletActivities(deps).storeWallet({ beneficiaryId: BENEFICIARY, address });

    expect(upsert).toHaveBeenCalledTimes(1);
    expect(upsert).toHaveBeenCalledWith({
      where: { beneficiaryId: BENEFICIARY },
      create: { id: BENEFICIARY, beneficiaryId: BENEFICIARY, address },
      update: {},
    });
  });

  it('When the database fails, Then storeWallet rejects so that Temporal retries it', async () => {
    const { deps, upsert } = fakeDeps();
    upsert.mockRejectedValueOnce(new Error('connection terminated'));

    await expect(walletActivities(deps).storeWallet({ beneficiaryId: BENEFICIARY, address: '0x' })).rejects.toThrow('connection terminated');
  });
});
