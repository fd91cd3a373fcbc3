import { computeAddress, getAddress, getCreate2Address, keccak256, SigningKey, AbiCoder } from 'ethers';
import { checksummed, deriveOwnerKey, ownerAddressOf, walletPlanner, walletSalt } from './wallet-derivation';

const SECRET = 'a-test-wallet-master-secret-of-32+chars';
const OTHER_SECRET = 'another-test-wallet-master-secret-32+';
const BENEFICIARY = '5d1b7a0e-3c2f-8a41-9b6d-0f2e4c6a8b10';
const FACTORY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const IMPLEMENTATION = '0xa16E02E87b7454126E5E10d957A927A7F5B5d2be';

describe('owner key derivation', () => {
  it('When derived twice for the same secret and id, Then the key is the same; another id or secret gives another key', () => {
    const key = Buffer.from(deriveOwnerKey(SECRET, BENEFICIARY)).toString('hex');

    expect(Buffer.from(deriveOwnerKey(SECRET, BENEFICIARY)).toString('hex')).toBe(key);
    expect(Buffer.from(deriveOwnerKey(SECRET, `${BENEFICIARY.slice(0, -1)}1`)).toString('hex')).not.toBe(key);
    expect(Buffer.from(deriveOwnerKey(OTHER_SECRET, BENEFICIARY)).toString('hex')).not.toBe(key);
  });

  it('When the owner address is computed natively, Then it equals the address ethers derives from the same key', () => {
    const key = deriveOwnerKey(SECRET, BENEFICIARY);

    expect(getAddress(ownerAddressOf(key))).toBe(computeAddress(new SigningKey(key).publicKey));
  });
});

describe('walletPlanner', () => {
  it('When a wallet is planned, Then its address is the CREATE2 address of the clone for keccak(owner, salt)', () => {
    const planner = walletPlanner({ masterSecret: SECRET, factory: FACTORY, implementation: IMPLEMENTATION });

    const plan = planner.plan(BENEFICIARY);

    const salt = keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'bytes32'], [plan.owner, walletSalt(BENEFICIARY)]));
    const initCode = `0x3d602d80600a3d3981f3363d3d373d3d3d363d73${IMPLEMENTATION.slice(2).toLowerCase()}5af43d82803e903d91602b57fd5bf3`;
    expect(plan.address).toBe(getCreate2Address(FACTORY, salt, keccak256(initCode)));
    expect(plan.salt).toBe(`0x${'0'.repeat(32)}5d1b7a0e3c2f8a419b6d0f2e4c6a8b10`);
  });

  it('When planned with another master secret, Then the owner and so the address differ', () => {
    const a = walletPlanner({ masterSecret: SECRET, factory: FACTORY, implementation: IMPLEMENTATION }).plan(BENEFICIARY);
    const b = walletPlanner({ masterSecret: OTHER_SECRET, factory: FACTORY, implementation: IMPLEMENTATION }).plan(BENEFICIARY);

    expect(b.owner).not.toBe(a.owner);
    expect(b.address).not.toBe(a.address);
  });
});

describe('checksummed', () => {
  it.each([
    '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    '0x000000000000000000000000000000000000bEEF',
  ])('When %s is checksummed from lower case, Then it equals the EIP-55 form ethers computes', (address) => {
    expect(checksummed(address.slice(2).toLowerCase())).toBe(getAddress(address.toLowerCase()));
  });
});
