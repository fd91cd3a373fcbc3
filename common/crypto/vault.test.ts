import { KeyRing } from './key-ring';
import { createVault } from './vault';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const settings = (active: string, keys: Record<string, string> = { k1: key(1), k2: key(2) }) => ({
  encryptionKeys: keys,
  activeKeyId: active,
  blindIndexKey: key(9),
});
const ID = '5d1b7a0e-3c2f-8a41-9b6d-0f2e4c6a8b10';
const OTHER_ID = '00000000-0000-8000-8000-000000000001';
const PERSON = { name: 'Sita Sharma', phone: '+9779841234567', email: 'sita@example.org', nationalId: 'NP-1234-5678' };

describe('personal data vault', () => {
  it('When personal data is sealed, Then the ciphertext names the active key, hides every field and opens to the same data', () => {
    const vault = createVault(settings('k1'));

    const sealed = vault.seal(ID, PERSON);

    expect(sealed).toMatch(/^k1:[A-Za-z0-9+/]+=*$/);
    for (const value of Object.values(PERSON)) expect(sealed).not.toContain(value);
    expect(vault.open(ID, sealed)).toEqual(PERSON);
  });

  it('When the same data is sealed twice, Then the ciphertexts differ (random IV)', () => {
    const vault = createVault(settings('k1'));

    expect(vault.seal(ID, PERSON)).not.toBe(vault.seal(ID, PERSON));
  });

  it('When the active key moves on to k2, Then data sealed under k1 still opens and new data uses k2', () => {
    const before = createVault(settings('k1')).seal(ID, PERSON);
    const after = createVault(settings('k2'));

    expect(after.open(ID, before)).toEqual(PERSON);
    expect(after.seal(ID, PERSON)).toMatch(/^k2:/);
  });

  it('When a ciphertext is moved to another beneficiary, Then it does not open', () => {
    const vault = createVault(settings('k1'));

    expect(() => vault.open(OTHER_ID, vault.seal(ID, PERSON))).toThrow();
  });

  it('When a ciphertext byte is changed, Then it does not open', () => {
    const vault = createVault(settings('k1'));
    const [id, b64] = vault.seal(ID, PERSON).split(':') as [string, string];
    const bytes = Buffer.from(b64, 'base64');
    bytes[20] = bytes[20]! ^ 1;

    expect(() => vault.open(ID, `${id}:${bytes.toString('base64')}`)).toThrow();
  });

  it('When the key named by a ciphertext was removed, Then opening fails naming the key id', () => {
    const sealed = createVault(settings('k1')).seal(ID, PERSON);
    const vault = createVault(settings('k2', { k2: key(2) }));

    expect(() => vault.open(ID, sealed)).toThrow(/no key with id k1/);
  });

  it('When phone numbers are indexed, Then equal numbers match, different numbers or keys do not, and the index hides the number', () => {
    const vault = createVault(settings('k1'));
    const otherKey = createVault({ ...settings('k1'), blindIndexKey: key(8) });

    const index = vault.phoneIndex(PERSON.phone);

    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(vault.phoneIndex(PERSON.phone)).toBe(index);
    expect(vault.phoneIndex('+9779841234568')).not.toBe(index);
    expect(otherKey.phoneIndex(PERSON.phone)).not.toBe(index);
    expect(index).not.toContain('9841234567');
  });
});

describe('KeyRing', () => {
  it.each([
    [{ k1: Buffer.alloc(16) }, 'k1', /32 bytes/],
    [{ k1: Buffer.alloc(32) }, 'k2', /not among the keys/],
    [{ 'k 1': Buffer.alloc(32) }, 'k 1', /must match/],
  ])('When built from invalid keys %#, Then it refuses', (keys, active, reason) => {
    expect(() => new KeyRing(keys, active)).toThrow(reason);
  });
});
