import { hashPassword, passwordHasher, verifyPassword } from './passwords';

describe('passwords', () => {
  it('When argon2 loads on this machine, Then it is the hasher and hashes are argon2id', async () => {
    expect(passwordHasher).toBe('argon2id');
    expect(await hashPassword('correct horse battery')).toMatch(/^\$argon2id\$v=19\$m=\d+/);
  });

  it.each(['argon2id', 'scrypt'] as const)(
    'When hashed with %s, Then only the right password verifies and the salt differs',
    async (impl) => {
      const a = await hashPassword('correct horse battery', impl);
      const b = await hashPassword('correct horse battery', impl);

      expect(a).not.toBe(b);
      expect(await verifyPassword(a, 'correct horse battery')).toBe(true);
      expect(await verifyPassword(a, 'correct horse batterY')).toBe(false);
    },
  );

  it('When scrypt is used, Then its cost is at least N = 2^15', async () => {
    expect(await hashPassword('x'.repeat(12), 'scrypt')).toMatch(/^\$scrypt\$ln=15,/);
  });

  it('When the stored hash is garbage, Then verification is false, not an error', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
    expect(await verifyPassword('$scrypt$ln=15,r=8,p=1$!!$!!', 'anything')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$m=1,t=1,p=1$bad', 'anything')).toBe(false);
  });
});
